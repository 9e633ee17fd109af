from trainer_app.cli import main

raise SystemExit(main())
