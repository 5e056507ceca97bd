#!/usr/bin/env bash
# Re-downloads the vendored Zendesk OpenAPI files into docs/reference/ (see docs/reference/README.md).
#   scripts/refresh-zendesk-oas.sh            pinned upstream commits; fails unless the sha256 match
#   scripts/refresh-zendesk-oas.sh --from URL the Support OAS from URL: the "Download OpenAPI file"
#                                             link of developer.zendesk.com/api-reference (review the diff)
set -euo pipefail
cd "$(dirname "$0")/../docs/reference"

SUPPORT_PINNED="https://raw.githubusercontent.com/botbrains-io/python-zendesk/806dda640e08b61d3652e86fbf5871c730827477/openapi-src.yaml"
WEBHOOKS_PINNED="https://raw.githubusercontent.com/andsafe-AG/terraform-provider-zendesk/5a6aec0be913f7aefb95bd9b71198d19a1731a82/provider-code-generation/webhook-openapi.yml"
SUPPORT_SHA="e9c8068daa4721b5cf7d148cb5698596e7109638313860fb296a60ccd9a39d30"
WEBHOOKS_SHA="5a85d0bc297e1de5abcd05b36d60f7fe1c34429e56e2d9072692a998b288fbe3"

fetch() {  # url file [sha256]
  curl --fail --silent --show-error --location "$1" -o "$2.new"
  if [[ -n "${3:-}" ]] && ! echo "$3  $2.new" | sha256sum --check --quiet; then
    rm -f "$2.new"
    echo "error: $2 from $1 does not match the recorded sha256" >&2
    exit 1
  fi
  mv "$2.new" "$2"
  sha256sum "$2"
}

if [[ "${1:-}" == "--from" ]]; then
  fetch "${2:?usage: $0 --from URL}" zendesk-support-oas.yaml
  echo "Support OAS refreshed from Zendesk: review 'git diff docs/reference', run make test," \
       "and record the new sha256 in docs/reference/README.md"
else
  fetch "$SUPPORT_PINNED" zendesk-support-oas.yaml "$SUPPORT_SHA"
  fetch "$WEBHOOKS_PINNED" zendesk-webhooks-oas.yaml "$WEBHOOKS_SHA"
fi
