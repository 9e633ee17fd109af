"""trainer-app: plan, run and evidence GMP training at the UK's cell and gene therapy hubs."""

__version__ = "0.1.0"
APP_NAME = "trainer-app"
APP_TITLE = "Trainer"
