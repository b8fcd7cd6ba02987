#!/usr/bin/env bash
# Start the site's pod from the Kubernetes manifest with `podman kube play`, as a platform would (read-only root,
# uid 10001, no capabilities, probes on /-/sante.json), check it answers, then remove it.
# Usage: deploy/check_kubernetes.sh "podman --runtime runc --cgroup-manager cgroupfs" IMAGE PORT
#
# The played copy of deploy/kubernetes/site-deployment.yaml differs in three lines only: the image just built, one
# replica (one machine) and the pod's port published on 127.0.0.1:PORT (podman has no Service to reach it). The
# cache's pod needs the nginx image from a registry: not played here; its configuration is the one `make cluster`
# rehearses in `make test`. This machine runs inside a container that may not raise rlimits: the same explicit
# limits as `make image` are given to podman through a containers.conf of the check's own.
set -euo pipefail
PODMAN=$1 IMAGE=$2 PORT=$3
MANIFEST=deploy/kubernetes/site-deployment.yaml
POD=tnl-site-pod-0 CONTAINER=tnl-site-pod-0-site
WORK=$(mktemp -d)
PLAYED=$WORK/site.yaml
sed -e "s|image: localhost/tnl-opendata:latest|image: localhost/${IMAGE#localhost/}|" \
    -e "s|replicas: 2 |replicas: 1 |" \
    -e "s|- {name: http, containerPort: 8001}|- {name: http, containerPort: 8001, hostIP: 127.0.0.1, hostPort: $PORT}|" \
    "$MANIFEST" > "$PLAYED"
test "$(grep -c "hostPort: $PORT\|replicas: 1 \|image: localhost/${IMAGE#localhost/}" "$PLAYED")" = 3
printf '[containers]\ndefault_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]\n' > "$WORK/containers.conf"
export CONTAINERS_CONF=$WORK/containers.conf
trap '$PODMAN kube down "$PLAYED" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

START=$(date +%s%N)
if ! OUTPUT=$($PODMAN kube play "$PLAYED" 2>&1); then
    echo "ÉCHEC : podman kube play n'a pas pu démarrer le pod sur cette machine :" >&2
    echo "$OUTPUT" >&2
    exit 1
fi
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 240); do
    curl -fsS "$URL/-/sante.json" >/dev/null 2>&1 && break
    sleep 0.25
done
HEALTHY=$(date +%s%N)
echo "santé : $(curl -fsS "$URL/-/sante.json")"
echo "prêt en $(( (HEALTHY - START) / 1000000 )) ms depuis le début de podman kube play"
curl -fsS -o /dev/null -w "page d'un territoire : %{http_code}, %{size_download} octets\n" "$URL/territoire/213801517"
USER_ID=$($PODMAN exec "$CONTAINER" id -u)
echo "utilisateur : $USER_ID"
test "$USER_ID" = 10001
if $PODMAN exec "$CONTAINER" touch /app/build/tnl.db 2>/dev/null || $PODMAN exec "$CONTAINER" touch /tmp/essai 2>/dev/null; then
    echo "ERREUR : la racine est modifiable" >&2
    exit 1
fi
echo "système de fichiers : lecture seule"
CAPABILITIES=$($PODMAN exec "$CONTAINER" grep CapEff /proc/1/status | awk '{print $2}')
echo "capacités effectives : $CAPABILITIES"
test "$CAPABILITIES" = 0000000000000000
echo "mémoire du conteneur : $($PODMAN stats --no-stream --format '{{.MemUsage}}' "$CONTAINER" 2>&1 || true)"
