#!/usr/bin/env bash
# Start the site's pod from the Kubernetes manifests with `podman kube play`, as a platform would (read-only root,
# uid 10001, no capabilities, probes on /-/sante.json), check it answers, then remove it.
# Usage: deploy/check_kubernetes.sh "podman --runtime runc --cgroup-manager cgroupfs" IMAGE
# The cache's pod (deploy/kubernetes/cache-deployment.yaml) needs the nginx image from a registry: not played here,
# its configuration is the one `make cluster` rehearses.
set -euo pipefail
PODMAN=$1 IMAGE=$2
MANIFEST=deploy/kubernetes/site-deployment.yaml
POD=tnl-site-pod CONTAINER=tnl-site-pod-site
# The manifest names the image of the edition; here, the one `make image` just built.
PLAYED=$(mktemp --suffix=.yaml)
trap 'rm -f "$PLAYED"' EXIT
sed "s|image: localhost/tnl-opendata:latest|image: localhost/${IMAGE#localhost/}|" "$MANIFEST" > "$PLAYED"

$PODMAN kube down "$PLAYED" >/dev/null 2>&1 || true
START=$(date +%s%N)
if ! OUTPUT=$($PODMAN kube play "$PLAYED" 2>&1); then
    echo "ÉCHEC : podman kube play n'a pas pu démarrer le pod sur cette machine :" >&2
    echo "$OUTPUT" >&2
    exit 1
fi
trap '$PODMAN kube down "$PLAYED" >/dev/null 2>&1; rm -f "$PLAYED"' EXIT
ADDRESS=$($PODMAN inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$POD-infra" 2>/dev/null || true)
test -n "$ADDRESS" || ADDRESS=$($PODMAN pod inspect --format '{{.InfraContainerID}}' "$POD" | xargs $PODMAN inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}')
URL="http://$ADDRESS:8001"
for _ in $(seq 1 240); do
    curl -fsS "$URL/-/sante.json" >/dev/null 2>&1 && break
    sleep 0.5
done
HEALTHY=$(date +%s%N)
echo "santé : $(curl -fsS "$URL/-/sante.json")"
echo "prêt en $(( (HEALTHY - START) / 1000000 )) ms après le début de podman kube play"
curl -fsS -o /dev/null -w "page d'un territoire : %{http_code}, %{size_download} octets\n" "$URL/territoire/213801517"
USER_ID=$($PODMAN exec "$CONTAINER" id -u)
echo "utilisateur : $USER_ID"
test "$USER_ID" = 10001
if $PODMAN exec "$CONTAINER" touch /app/build/tnl.db /tmp/essai 2>/dev/null; then echo "ERREUR : la racine est modifiable" >&2; exit 1; fi
echo "système de fichiers : lecture seule"
CAPABILITIES=$($PODMAN exec "$CONTAINER" sh -c 'grep CapEff /proc/1/status' | awk '{print $2}')
echo "capacités effectives : $CAPABILITIES"
test "$CAPABILITIES" = 0000000000000000
echo "mémoire du pod : $($PODMAN stats --no-stream --format '{{.MemUsage}}' "$CONTAINER" 2>/dev/null || echo 'non mesurée (cgroups)')"
