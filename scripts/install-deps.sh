#!/usr/bin/env bash
# Installs every Debian package that building, testing, the demo and the benchmarks need.
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-all-dev liburing-dev libssl-dev libpq-dev libyaml-cpp-dev libspdlog-dev
  libcpp-httplib-dev prometheus-cpp-dev doctest-dev libsystemd-dev libmnl-dev
  postgresql-server-dev-15
  # the cluster and the classic stack we replace or compare with
  postgresql-15 postgresql-client-15 patroni etcd-server etcd-client
  pgbouncer haproxy keepalived
  # real clients and test tools
  python3 python3-psycopg libpostgresql-jdbc-java default-jdk-headless nodejs
  iproute2 tcpdump curl procps util-linux openssl
  # /metrics checked by promtool
  prometheus
  # benchmark plots and packaging checks (dpkg-shlibdeps, systemd-analyze verify, man, adduser)
  gnuplot-nox dpkg-dev systemd man-db adduser
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

# Some images ship a nodejs that bundles npm and conflicts with Debian's npm package.
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian's postgresql and etcd packages may start their own default instances where an
# init system runs; they would take the ports our clusters use. We never rely on them.
for svc in postgresql etcd pgbouncer haproxy keepalived prometheus; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
    echo "install-deps: note: system service $svc is running; tests use their own ports"
  fi
done
