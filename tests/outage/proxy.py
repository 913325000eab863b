"""A TCP relay between the toolkit and PostgreSQL that can lose the answer to a COMMIT.

This is the outage case a restart test only hits by luck: the server receives COMMIT and commits, but the
connection dies before its answer reaches the client. The client cannot know whether the save happened.
The relay forwards bytes unchanged; once ``lose_next_commit_answer()`` is called, it forwards the next
``COMMIT`` query to the server, discards whatever the server answers, and closes both sides.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

# PostgreSQL wire protocol: a simple Query message ('Q', int32 length, "COMMIT\0"), as psycopg sends on
# commit().
COMMIT_QUERY = b"Q" + (4 + len(b"COMMIT\x00")).to_bytes(4, "big") + b"COMMIT\x00"


class CommitAnswerLosingProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self._target = (target_host, target_port)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port: int = self._listener.getsockname()[1]
        self._armed = threading.Event()
        self.commits_cut = 0
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="pg-proxy-accept").start()

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}?sslmode=disable"

    def lose_next_commit_answer(self) -> None:
        self._armed.set()

    def close(self) -> None:
        self._closed = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            cut = threading.Event()
            threading.Thread(target=self._to_server, args=(client, server, cut), daemon=True).start()
            threading.Thread(target=self._to_client, args=(server, client, cut), daemon=True).start()

    def _to_server(self, client: socket.socket, server: socket.socket, cut: threading.Event) -> None:
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                if self._armed.is_set() and COMMIT_QUERY in data:
                    self._armed.clear()
                    cut.set()  # from now on nothing the server says reaches the client
                    server.sendall(data)
                    time.sleep(0.5)  # the server reads the COMMIT and commits
                    self.commits_cut += 1
                    break
                server.sendall(data)
        except OSError:
            pass
        finally:
            for s in (client, server):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    @staticmethod
    def _to_client(server: socket.socket, client: socket.socket, cut: threading.Event) -> None:
        try:
            while True:
                data = server.recv(65536)
                if not data:
                    break
                if cut.is_set():
                    continue
                client.sendall(data)
        except OSError:
            pass
