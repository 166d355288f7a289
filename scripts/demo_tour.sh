#!/usr/bin/env bash
# `make demo`: a tour of the command line on data/samples, in a fresh DuckDB file.
# Each step is a plain `crmkit` command a script could run.
set -euo pipefail
BIN=${BIN:-.venv/bin}
DB=${DB:-demo_out/crm.duckdb}
OUT=$(dirname "$DB")
crmkit() { "$BIN/crmkit" --db "$DB" --user "Nicole Bertrand" "$@"; }
# Exit code 3 means "done, some rows rejected": the tour goes on.
allow_rejects() { "$@" || [ $? -eq 3 ]; }
step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; }

step "Load the samples (owners, accounts, contacts)" crmkit demo --samples data/samples
crmkit demo --samples data/samples

step "Validate a file without importing it" crmkit validate data/samples/outlook_contacts.csv
allow_rejects crmkit validate data/samples/outlook_contacts.csv --quiet

step "Preview a Chinese XLSX" crmkit preview data/samples/accounts_zh.xlsx --kind accounts
crmkit preview data/samples/accounts_zh.xlsx --kind accounts --show 5

step "Import a French Excel CSV (cp1252, ;)" crmkit import data/samples/contacts_fr.csv
allow_rejects crmkit import data/samples/contacts_fr.csv --create-accounts --quiet \
  --rejects "$OUT/rejects.csv"

step "Find duplicate contacts" crmkit dedupe
crmkit dedupe --show 5 --out "$OUT/duplicate_pairs.csv"

step "Merge the clusters that are almost certain" crmkit merge --all
crmkit merge --all --min-probability 0.97

step "Filter: Paris team, revenue 1M-10M" crmkit filter --owner Paris --revenue-band 1M-10M
crmkit filter --owner Paris --revenue-band 1M-10M --limit 8 --columns id,last_name,first_name,company,owner

step "Reassign them round-robin" crmkit reassign --owner Paris --revenue-band 1M-10M --to ...
crmkit reassign --owner Paris --revenue-band 1M-10M --to "Amanda Palmer" --to "Hervé Lambert"

step "Export vCards (one per contact) and XLSX" crmkit export
crmkit export "$OUT/lambert.zip" --owner "Hervé Lambert"
crmkit export "$OUT/lambert.xlsx" --owner "Hervé Lambert" --lang fr

step "History, then undo the reassignment" crmkit undo last
crmkit history --limit 8
crmkit undo last
echo
echo "Done. The database is $DB; exports and the rejected rows are in $OUT/."
