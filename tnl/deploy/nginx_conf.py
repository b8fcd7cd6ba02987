"""nginx's configuration for the shared cache in front of the replicas, from deploy/'s template, in one place.

The local cluster (`make cluster`) and the Kubernetes cache (deploy/kubernetes/cache-configmap.yaml) run the same
configuration, so what the rehearsal proves holds for the manifests:

    python -m tnl.deploy.nginx_conf > deploy/kubernetes/cache-configmap.yaml   # `make kubernetes`
"""
from __future__ import annotations

from tnl import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
CONFIGMAP = DEPLOY / "kubernetes" / "cache-configmap.yaml"
KUBERNETES_STATE = "/var/cache/tnl"  # an emptyDir in the cache's pod: a new pod starts with an empty cache


def render(*, servers: list[str], state: str, listen: str, release: str, access_log: str, error_log: str,
           edge_cache: bool = True, user: str = "", proto: str = "$scheme", release_folder: str | None = None) -> str:
    """The template with every @@NAME@@ filled in; without edge_cache nginx only balances.

    proto is what the replicas get as X-Forwarded-Proto: nginx's own scheme when it is the edge, the Ingress's
    header when an Ingress terminates https in front of it. With release_folder (the replicas' build/releases/<digest>,
    on the same host), nginx sends the build's files itself (deploy/nginx-files.conf): the package, the downloads
    and the complete exports; without it (the Kubernetes cache has no such folder) every request goes to the site."""
    cache = (DEPLOY / "nginx-cache.conf").read_text() if edge_cache else "            proxy_cache off;\n"
    files = (DEPLOY / "nginx-files.conf").read_text().replace("@@RELEASE_FOLDER@@", release_folder) if release_folder else ""
    values = {
        "@@FILES@@": files,  # first: the blocks inserted hold the names below
        "@@PROXY@@": (DEPLOY / "nginx-proxy.conf").read_text(),
        "@@FILE_HEADERS@@\n": (DEPLOY / "nginx-file-headers.conf").read_text(),
        "@@CACHE@@\n": cache,
        "@@SERVERS@@": "\n".join(f"        server {server} max_fails=1 fail_timeout=2s;" for server in servers),
        "@@USER@@": user, "@@STATE@@": state, "@@LISTEN@@": listen, "@@RELEASE@@": release,
        "@@ACCESS_LOG@@": access_log, "@@ERROR_LOG@@": error_log, "@@PROTO@@": proto,
    }
    text = (DEPLOY / "nginx.conf.template").read_text()
    for name, value in values.items():
        text = text.replace(name, value)
    return text


def kubernetes_configmap() -> str:
    """The ConfigMap of the cache's pod: nginx on 8080 (no privilege), the site's Service as its only upstream."""
    conf = render(servers=["tnl-site:8001"], state=KUBERNETES_STATE, listen="8080", release="tnl",
                  access_log="/dev/stdout", error_log="/dev/stderr", proto="$http_x_forwarded_proto")
    body = "".join(f"    {line}\n" if line else "\n" for line in conf.splitlines())
    return (
        "# Généré par `make kubernetes` depuis deploy/nginx.conf.template et deploy/nginx-cache.conf (ne pas modifier\n"
        "# à la main) : la configuration du cache partagé, la même que celle de la répétition locale `make cluster`.\n"
        "# La clé de cache ne porte pas de version : le cache vit dans un emptyDir, qu'un redémarrage du cache vide\n"
        "# (`kubectl rollout restart deployment/tnl-cache` à la fin de la mise à jour annuelle).\n"
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        "  name: tnl-cache\n"
        "  labels: {app.kubernetes.io/name: tnl-opendata, app.kubernetes.io/component: cache}\n"
        "data:\n"
        "  nginx.conf: |\n"
        f"{body}"
    )


if __name__ == "__main__":
    print(kubernetes_configmap(), end="")
