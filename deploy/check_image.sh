#!/usr/bin/env bash
# Run the image as a platform would (read-only, no capabilities, unprivileged), check it, then remove it.
# Usage: deploy/check_image.sh "podman --runtime runc --cgroup-manager cgroupfs" "--ulimit …" IMAGE PORT
set -euo pipefail
PODMAN=$1 ULIMITS=$2 IMAGE=$3 PORT=$4
NAME=tnl-check-$$
$PODMAN run -d --name "$NAME" $ULIMITS --read-only --cap-drop=ALL --security-opt no-new-privileges \
    -p "127.0.0.1:$PORT:8001" "$IMAGE" >/dev/null
trap '$PODMAN rm -f -t 5 "$NAME" >/dev/null' EXIT
for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$PORT/-/sante.json" >/dev/null 2>&1 && break
    sleep 0.5
done
echo "santé : $(curl -fsS "http://127.0.0.1:$PORT/-/sante.json")"
echo "utilisateur : $($PODMAN exec "$NAME" id -u)"
test "$($PODMAN exec "$NAME" id -u)" != 0
if $PODMAN exec "$NAME" touch /app/build/tnl.db 2>/dev/null; then echo "erreur : l'image est modifiable" >&2; exit 1; fi
echo "système de fichiers : lecture seule"
curl -fsS -o /dev/null -w "page d'un territoire : %{http_code}, %{size_download} octets\n" "http://127.0.0.1:$PORT/territoire/213801517"
