"""deploy/kubernetes/: every manifest valid against the Kubernetes API schemas (shipped by kubernetes-validate, no
network), the settings the deployment guide promises, and the cache's ConfigMap in step with deploy/'s nginx files."""
from __future__ import annotations


import kubernetes_validate
import pytest
import yaml

from tnl import PROJECT_ROOT
from tnl.deploy import nginx_conf

MANIFESTS = PROJECT_ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.33"  # the oldest version still supported upstream when these manifests were written


def documents() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            found += [(path.name, document) for document in yaml.safe_load_all(path.read_text()) if document]
    return found


def resource(kind: str, name: str) -> dict:
    matches = [document for _, document in documents() if document["kind"] == kind and document["metadata"]["name"] == name]
    assert len(matches) == 1, (kind, name)
    return matches[0]


def test_every_manifest_validates_strictly_against_the_kubernetes_schema():
    found = documents()
    assert len(found) >= 9
    for name, document in found:
        try:
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            raise AssertionError(f"{name} ({document['kind']}): {error.message}") from error
    kinds = {document["kind"] for _, document in found}
    assert {"Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "ConfigMap", "Ingress",
            "NetworkPolicy"} <= kinds


def test_an_invalid_manifest_is_refused():
    broken = resource("Deployment", "tnl-site") | {"spec": {"replicas": "deux"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())
    on_disk = {path.name for path in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(on_disk)


def test_the_site_runs_read_only_unprivileged_and_rolls_without_downtime():
    deployment = resource("Deployment", "tnl-site")
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 10001
    (container,) = pod["containers"]
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/-/sante.json"
    assert {"requests", "limits"} <= set(container["resources"])
    assert "FORWARDED_ALLOW_IPS" in {variable["name"] for variable in container["env"]}
    assert resource("PodDisruptionBudget", "tnl-site")["spec"]["minAvailable"] >= 1
    assert resource("HorizontalPodAutoscaler", "tnl-site")["spec"]["minReplicas"] >= 2


def test_the_cache_configmap_is_the_one_rendered_from_deploy():
    """`make kubernetes` regenerates it: the cache in Kubernetes runs what `make cluster` rehearses."""
    assert (MANIFESTS / "cache-configmap.yaml").read_text() == nginx_conf.kubernetes_configmap()
    conf = resource("ConfigMap", "tnl-cache")["data"]["nginx.conf"]
    assert "proxy_cache_lock on;" in conf and "server tnl-site:8001" in conf and "@@" not in conf.replace("@@NAME@@", "").replace("@@…@@", "")
