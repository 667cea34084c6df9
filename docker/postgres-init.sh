#!/bin/sh
# Run once by the postgres image on an empty volume: the serving database, owned by the Dagster
# user that writes it, and the API's login role, which `ic-platform serving grant-reader` (run by
# the user-code service) lets read it and nothing more.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE DATABASE serving OWNER "$POSTGRES_USER";
CREATE ROLE ic_api LOGIN PASSWORD '$IC_API_PASSWORD';
SQL
