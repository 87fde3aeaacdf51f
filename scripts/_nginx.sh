# Sourced by scripts/test: nginx for the test of the reverse proxy (tests/live/test_proxy.py),
# taken from Debian's package into .venv/nginx (unpacked, not installed: no service starts)
# when no nginx is on PATH. Elsewhere the test says why it skips.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x .venv/nginx/usr/sbin/nginx ]; then
    if command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1; then
        echo "unpacking Debian's nginx into .venv/nginx" >&2
        _nginx_download=$(mktemp -d)
        if (cd "$_nginx_download" && apt-get download nginx >/dev/null 2>&1) ||
            { apt-get update >/dev/null 2>&1 &&
              (cd "$_nginx_download" && apt-get download nginx >/dev/null 2>&1); }; then
            dpkg -x "$_nginx_download"/nginx_*.deb .venv/nginx
        else
            echo "could not download Debian's nginx: the proxy test will skip" >&2
        fi
        rm -rf "$_nginx_download"
    fi
fi
