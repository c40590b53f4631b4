#!/usr/bin/env bash
# Golden files must be regenerated whenever the code that produced them changes.
exec "$(dirname "$0")/../../scripts/check-goldens.sh"
