#!/usr/bin/env bash
# Set up a hub's shared PostgreSQL server for trainer-app (docs/shared-server.md). Safe to run
# again: what exists is kept, settings and passwords are set again, the schema is upgraded.
#
# Run it as the server's administrator, the connection given the usual libpq way:
#
#   PGHOST=db.hub.example PGUSER=postgres TRAINER_APP_DB_PASSWORD='…' scripts/postgres-setup.sh
#
# It makes:
#   - the service account TRAINER_APP_DB_ROLE (default trainer_app): a login role, no superuser,
#     cannot create databases or roles, password TRAINER_APP_DB_PASSWORD; every workstation
#     connects as it, the people are the app's own user accounts inside the store;
#   - the database TRAINER_APP_DB_NAME (default trainer), owned by the service account, UTF8,
#     text sorted by code point (collation C: names in the same order as in an SQLite store, and
#     sorted faster), timezone UTC, connectable by nobody else;
#   - the store's schema, by trainer-app's own migrations (trainer-app db upgrade);
#   - with TRAINER_APP_DB_READER (and TRAINER_APP_DB_READER_PASSWORD): a read-only login role
#     for reporting tools, which reads every table except the user accounts (password hashes).
#
# TRAINER_APP is the command that runs trainer-app (default: trainer-app); psql is PSQL's.
# psql 15 or newer (passwords are read from the environment with \getenv, never on a command
# line where other users of the machine could see them).
set -euo pipefail

DATABASE=${TRAINER_APP_DB_NAME:-trainer}
ROLE=${TRAINER_APP_DB_ROLE:-trainer_app}
READER=${TRAINER_APP_DB_READER:-}
PSQL=${PSQL:-psql}
TRAINER_APP=${TRAINER_APP:-trainer-app}
: "${TRAINER_APP_DB_PASSWORD:?set TRAINER_APP_DB_PASSWORD to the password of the service account}"
if [ -n "$READER" ]; then
  : "${TRAINER_APP_DB_READER_PASSWORD:?set TRAINER_APP_DB_READER_PASSWORD for $READER}"
fi

say() { printf '%s\n' "$*" >&2; }
admin() {  # psql as the administrator; stops at the first error
  "$PSQL" --no-psqlrc --quiet --set ON_ERROR_STOP=1 --set role="$ROLE" --set database="$DATABASE" \
    --set reader="$READER" "$@"
}

say "Service account $ROLE and database $DATABASE"
admin --dbname="${PGDATABASE:-postgres}" <<'SQL'
\getenv password TRAINER_APP_DB_PASSWORD
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L',
              :'role', :'password') \gexec
\unset password
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L LC_COLLATE %L TEMPLATE template0',
              :'database', :'role', 'UTF8', 'C')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
SELECT pg_encoding_to_char(encoding) <> 'UTF8' AS wrong_encoding FROM pg_database
 WHERE datname = :'database' \gset
\if :wrong_encoding
  \warn 'The database exists with an encoding other than UTF8: trainer-app needs UTF8. Nothing more was changed.'
  \quit 3
\endif
SELECT format('ALTER DATABASE %I OWNER TO %I', :'database', :'role') \gexec
SELECT format('ALTER DATABASE %I SET timezone TO %L', :'database', 'UTC') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'database') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'database', :'role') \gexec
SQL

say "The store's schema (trainer-app db upgrade, as $ROLE)"
scratch=$(mktemp -d)  # trainer-app's data folder for this run: no key is left on this machine
trap 'rm -rf "$scratch"' EXIT
TRAINER_APP_DATA_DIR="$scratch" \
  TRAINER_APP_DATABASE_URL="postgresql+psycopg://$ROLE@/$DATABASE" \
  PGUSER="$ROLE" PGPASSWORD="$TRAINER_APP_DB_PASSWORD" \
  $TRAINER_APP db upgrade >&2

if [ -n "$READER" ]; then
  say "Read-only role $READER for reporting tools"
  admin --dbname="$DATABASE" <<'SQL'
\getenv password TRAINER_APP_DB_READER_PASSWORD
SELECT format('CREATE ROLE %I LOGIN', :'reader')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'reader') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L',
              :'reader', :'password') \gexec
\unset password
SELECT format('ALTER ROLE %I SET default_transaction_read_only TO on', :'reader') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'database', :'reader') \gexec
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'reader') \gexec
SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', :'reader') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT ON TABLES TO %I',
              :'role', :'reader') \gexec
SELECT format('REVOKE ALL ON TABLE users FROM %I', :'reader') \gexec
SQL
fi

host=${PGHOST:-localhost}
case "$host" in /*) host=localhost ;; esac
say "Done. Each workstation connects with (its password in PGPASSWORD or ~/.pgpass):"
printf 'TRAINER_APP_DATABASE_URL=postgresql+psycopg://%s@%s:%s/%s?sslmode=require\n' \
  "$ROLE" "$host" "${PGPORT:-5432}" "$DATABASE"
