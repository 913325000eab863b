"""deploy/z2jh (Zero to JupyterHub) checked as far as one machine without Kubernetes can.

``values.yaml`` is read as Helm reads it: its keys must be ones the chart's documented schema has (the key
tree below is transcribed from the chart's ``values.schema.yaml``, jupyterhub chart for JupyterHub 5; only
the parts this file uses), its Python snippets must compile and name what this repository really has (the
hooks module, the store's settings, PgBouncer's service). With ``ITP_Z2JH_CHART`` pointing at an unpacked
chart (``helm pull jupyterhub/jupyterhub --untar``), the merged values are also validated against the chart's
own schema, as ``helm install`` does.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from itp_toolkit.services.hub_sync import ADMINS_GROUP, SUPERVISORS_GROUP, ServerProvisioner

REPO = Path(__file__).resolve().parents[2]
Z2JH = REPO / "deploy" / "z2jh"
HOOKS = REPO / "deploy" / "jupyterhub" / "itp_hub_hooks.py"

ANY = None  # a free-form value: the schema does not constrain its keys (config, resources, Kubernetes specs)
ALLOWED: dict[str, Any] = {
    "hub": {
        "image": {"name": str, "tag": str, "pullPolicy": str, "pullSecrets": list},
        "config": ANY,
        "extraEnv": ANY,
        "loadRoles": ANY,
        "services": ANY,
        "service": {"type": str, "extraPorts": list, "ports": ANY, "annotations": ANY},
        "networkPolicy": {"enabled": bool, "ingress": list, "egress": list, "egressAllowRules": ANY},
        "extraConfig": dict,
        "resources": ANY,
        "db": {"type": str, "url": str, "pvc": ANY, "upgrade": bool, "password": str},
    },
    "proxy": {
        "chp": {"resources": ANY, "image": ANY, "networkPolicy": ANY, "extraCommandLineFlags": list},
        "https": {"enabled": bool, "hosts": list, "letsencrypt": {"contactEmail": str}, "type": str},
    },
    "singleuser": {
        "image": {"name": str, "tag": str, "pullPolicy": str, "pullSecrets": list},
        "cmd": (str, list),
        "defaultUrl": str,
        "startTimeout": int,
        "extraEnv": ANY,
        "lifecycleHooks": ANY,
        "memory": {"guarantee": str, "limit": str},
        "cpu": {"guarantee": (int, float), "limit": (int, float)},
        "storage": {"capacity": str, "type": str, "homeMountPath": str},
        "cloudMetadata": {"blockWithIptables": bool, "ip": str},
        "networkPolicy": {"enabled": bool, "egress": list, "ingress": list, "egressAllowRules": ANY},
    },
    "cull": {"enabled": bool, "timeout": int, "every": int, "maxAge": int, "users": bool, "concurrency": int},
    "scheduling": {
        "userScheduler": {"enabled": bool},
        "podPriority": {"enabled": bool},
        "userPlaceholder": {"enabled": bool, "replicas": int},
    },
    "prePuller": {"hook": {"enabled": bool}, "continuous": {"enabled": bool}},
}


def _values() -> dict[str, Any]:
    return yaml.safe_load((Z2JH / "values.yaml").read_text(encoding="utf-8"))


def _unknown_keys(values: Any, allowed: Any, path: str = "") -> list[str]:
    if allowed is ANY:
        return []
    if isinstance(allowed, dict):
        if not isinstance(values, dict):
            return [f"{path.lstrip('.')}: expected a mapping"]
        out = []
        for key, value in values.items():
            if key not in allowed:
                out.append(f"{path}.{key}".lstrip(".") + ": not a key of the chart")
            else:
                out += _unknown_keys(value, allowed[key], f"{path}.{key}")
        return out
    types = allowed if isinstance(allowed, tuple) else (allowed,)
    ok = isinstance(values, types) and not (isinstance(values, bool) and bool not in types)
    return [] if ok else [f"{path.lstrip('.')}: {values!r} is not {' or '.join(t.__name__ for t in types)}"]


def test_values_use_only_keys_the_chart_documents() -> None:
    assert _unknown_keys(_values(), ALLOWED) == []


def test_the_key_check_itself_catches_a_misspelt_key() -> None:
    values = _values()
    values["singleuser"]["memmory"] = {"limit": "1G"}
    values["cull"]["timeout"] = "an hour"
    assert _unknown_keys(values, ALLOWED) == [
        "singleuser.memmory: not a key of the chart",
        "cull.timeout: 'an hour' is not int",
    ]


def test_the_hub_snippets_compile_and_use_this_repositorys_hooks_and_settings() -> None:
    values = _values()
    snippets = values["hub"]["extraConfig"]
    for name, code in snippets.items():
        compile(code, f"hub.extraConfig.{name}", "exec")
    code = "\n".join(snippets.values())
    assert "from itp_hub_hooks import pre_spawn_hook" in code and HOOKS.exists()
    assert "c.KubeSpawner.pre_spawn_hook = pre_spawn_hook(" in code
    for var in re.findall(r'os\.environ(?:\.get)?\[?\(?"(ITP_HUB_[A-Z_]+)"', code):
        assert var in values["hub"]["extraEnv"], var
    # The admin URL comes from a Secret, and only the hub pod has it; users get their own URL via PgBouncer.
    admin = values["hub"]["extraEnv"]["ITP_HUB_ADMIN_URL"]
    assert "secretKeyRef" in admin["valueFrom"]
    singleuser_env = values["singleuser"]["extraEnv"]
    assert not any(
        k.startswith("ITP_HUB_") or k == ServerProvisioner.DATABASE_URL_VAR for k in singleuser_env
    )


def test_users_reach_postgresql_through_pgbouncer_in_transaction_mode() -> None:
    values = _values()
    docs = list(yaml.safe_load_all((Z2JH / "pgbouncer.yaml").read_text(encoding="utf-8")))
    service = next(d for d in docs if d["kind"] == "Service")
    ini = next(d for d in docs if d["kind"] == "ConfigMap")["data"]["pgbouncer.ini"]
    url = values["hub"]["extraEnv"]["ITP_HUB_USER_DATABASE_URL"]
    host_port = f"{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    assert f"@{host_port}/" in url or f"//{host_port}/" in url
    assert re.search(r"^pool_mode = transaction$", ini, re.M)
    assert re.search(r"^max_prepared_statements = [1-9]", ini, re.M)  # psycopg prepares statements
    egress = values["singleuser"]["networkPolicy"]["egress"][0]
    assert egress["to"][0]["podSelector"]["matchLabels"] == service["spec"]["selector"]


def test_idle_servers_are_culled_and_the_board_is_for_supervisors() -> None:
    values = _values()
    assert values["cull"]["enabled"] is True and 0 < values["cull"]["timeout"] <= 4 * 3600
    viewer = values["hub"]["loadRoles"]["itp-board-viewer"]
    assert set(viewer["groups"]) == {SUPERVISORS_GROUP, ADMINS_GROUP}
    assert viewer["scopes"] == ["access:services!service=projector"]


def test_the_user_image_is_built_from_environment_yml_with_each_roles_pages() -> None:
    dockerfile = (Z2JH / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY --chown=${NB_UID}:${NB_GID} environment.yml" in dockerfile
    assert "mamba env update --name base --file /tmp/itp/environment.yml" in dockerfile
    assert "itp_hub_hooks.py /tmp/itp/notebooks /opt/itp/pages" in dockerfile
    post_start = " ".join(_values()["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert "/opt/itp/pages/$ITP_ROLE" in post_start


def _merge(base: Any, over: Any) -> Any:
    if not (isinstance(base, dict) and isinstance(over, dict)):
        return copy.deepcopy(over)
    out = copy.deepcopy(base)
    for key, value in over.items():
        out[key] = _merge(out.get(key), value) if key in out else copy.deepcopy(value)
    return out


def test_values_pass_the_charts_own_schema_when_the_chart_is_here() -> None:
    chart = os.environ.get("ITP_Z2JH_CHART")
    if not chart:
        pytest.skip("set ITP_Z2JH_CHART to an unpacked jupyterhub chart to validate against its schema")
    import jsonschema

    folder = Path(chart)
    schema_file = next(
        p for p in (folder / "values.schema.json", folder / "values.schema.yaml") if p.exists()
    )
    schema = yaml.safe_load(schema_file.read_text(encoding="utf-8"))  # JSON is YAML
    defaults = yaml.safe_load((folder / "values.yaml").read_text(encoding="utf-8"))
    merged = _merge(defaults, _values())
    errors = [f"{list(e.path)}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(merged)]
    assert errors == []
