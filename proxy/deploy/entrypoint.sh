#!/bin/sh
# Cloud Run entrypoint for the `with-tailscale` image: tailscaled in userspace-networking mode
# (Cloud Run has no TUN device) with its SOCKS5 server, then the proxy in the foreground so it
# receives Cloud Run's SIGTERM and closes open WebSockets with 1001.
set -eu
: "${TS_AUTHKEY:?set TS_AUTHKEY (an ephemeral, pre-approved auth key) from Secret Manager}"
# tailscaled binds `localhost:1055` to 127.0.0.1 only (Go's rule); the proxy tries ::1 and 127.0.0.1 anyway.
socks_addr="${TS_SOCKS5_SERVER:-localhost:1055}"
tailscaled --tun=userspace-networking --socks5-server="$socks_addr" --state=mem: \
  --socket=/var/run/tailscale/tailscaled.sock &
tailscale --socket=/var/run/tailscale/tailscaled.sock up --authkey="$TS_AUTHKEY" \
  --hostname="${TS_HOSTNAME:-cloudrun-proxy}" --accept-dns=false
export SOCKS5_PROXY="${SOCKS5_PROXY:-socks5h://$socks_addr}"
exec node /app/proxy.mjs
