"""itp serve: the Voila command it runs (standalone, local only, stripped, culled; kernels over Unix
sockets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from itp_toolkit.cli import main
from itp_toolkit.cli.serve import KERNEL_SOCKET_NAME, UNIX_SOCKET_PATH_MAX, kernel_transport, voila_command
from itp_toolkit.services.workspace import Workspace


def test_kernels_use_unix_sockets_when_the_runtime_path_leaves_room_for_the_socket_name():
    room = UNIX_SOCKET_PATH_MAX - len(KERNEL_SOCKET_NAME)
    assert kernel_transport("/tmp/itp-serve-abc123") == "ipc"
    assert kernel_transport("/" + "d" * (room - 1)) == "ipc"
    assert kernel_transport("/" + "d" * room) == "tcp"  # one byte too deep: a socket path would not fit


def test_the_command_is_standalone_voila_on_localhost_with_sources_stripped_and_idle_kernels_culled(tmp_path):
    command = voila_command(tmp_path, 8899, 300, connection_root=Path("/tmp/itp-serve-x"))
    assert "--Voila.ip=127.0.0.1" in command and "--Voila.port=8899" in command
    assert "--VoilaConfiguration.strip_sources=True" in command
    assert "--VoilaConfiguration.show_tracebacks=False" in command
    assert "--MappingKernelManager.cull_idle_timeout=300" in command
    assert (
        "--KernelManager.transport=ipc" in command
        and "--Voila.connection_dir_root=/tmp/itp-serve-x" in command
    )
    deep = voila_command(tmp_path, 8899, 300, connection_root=Path("/" + "d" * 100))
    assert "--KernelManager.transport=tcp" in deep


def test_itp_serve_dry_run_prints_a_command_with_ipc_kernels(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("JUPYTER_RUNTIME_DIR", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    Workspace.init(tmp_path / "ws", user="director").close()
    assert main(["serve", "--workspace", str(tmp_path / "ws"), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "--KernelManager.transport=ipc" in printed and "--Voila.ip=127.0.0.1" in printed


def test_the_command_runs_the_toolkits_voila_with_its_guards_and_caps(tmp_path):
    command = voila_command(
        tmp_path,
        8899,
        600,
        max_kernels=3,
        max_kernels_per_client=0,
        cull_unconnected=8,
        allowed_hosts=["clinic.example"],
    )
    assert command[1:3] == ["-m", "itp_toolkit.server"]
    assert (
        "--Voila.kernel_websocket_connection_class=itp_toolkit.server.connection.GuardedKernelConnection"
        in command
    )
    assert (
        "--VoilaConfiguration.multi_kernel_manager_class=itp_toolkit.server.kernels.GuardedKernelManager"
        in command
    )
    assert "--GuardedKernelManager.max_kernels=3" in command
    assert "--GuardedKernelManager.max_kernels_per_client=0" in command
    assert "--GuardedKernelManager.cull_unconnected_timeout=8" in command
    assert "--MappingKernelManager.cull_interval=2" in command  # checked often enough for an 8 s timeout
    assert "--ITPVoila.allowed_hosts=clinic.example" in command


def test_a_negative_cap_is_refused_with_one_line(tmp_path, capsys):
    Workspace.init(tmp_path / "ws", user="director").close()
    with pytest.raises(SystemExit) as stop:
        main(["serve", "--workspace", str(tmp_path / "ws"), "--max-kernels", "-1", "--dry-run"])
    assert stop.value.code == 2 and "--max-kernels: -1 is negative" in capsys.readouterr().err
