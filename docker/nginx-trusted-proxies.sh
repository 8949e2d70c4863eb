#!/bin/sh
# Run by the nginx image before nginx starts (mounted into
# /docker-entrypoint.d/ by compose.yaml): writes one set_real_ip_from for
# each address or range in NGINX_TRUSTED_PROXIES (commas or spaces), the
# city's load balancers, to the file nginx.conf includes. `none` trusts no
# one: the address nginx sees is the visitor's. A malformed entry stops the
# proxy from starting rather than trusting the wrong thing.
set -eu

conf="${TRUSTED_PROXIES_CONF:-/etc/nginx/trusted-proxies.conf}"
: "${NGINX_TRUSTED_PROXIES:?set NGINX_TRUSTED_PROXIES (or none)}"
proxies=$(printf '%s' "$NGINX_TRUSTED_PROXIES" | tr ',' ' ')

tmp="$conf.tmp"
echo "# Written from NGINX_TRUSTED_PROXIES by nginx-trusted-proxies.sh." >"$tmp"
for proxy in $proxies; do
    [ "$proxy" = none ] && continue
    case "$proxy" in
        *[!0-9A-Fa-f:./]* | "" | */*/*)
            echo "NGINX_TRUSTED_PROXIES: '$proxy' is not an address or a range such as 10.0.0.0/8" >&2
            rm -f "$tmp"
            exit 1
            ;;
    esac
    echo "set_real_ip_from $proxy;" >>"$tmp"
done
mv "$tmp" "$conf"
