"""REST endpoints that break in the ways a real network does, to prove the health loop
survives them: one accepts TCP and never answers, one answers HTTP 200 with garbage instead
of Patroni's JSON, and one is a port nothing listens on. Fault injection, not a stand-in
for Patroni: the routing tests run against real Patroni nodes next to these."""
import socket
import threading


class MisbehavingRestServers:
    def __init__(self):
        self._stop = threading.Event()
        self._threads = []
        self._sockets = []
        self.blackhole_port = self._listen(self._blackhole)
        self.garbage_port = self._listen(self._garbage)
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        self.closed_port = closed.getsockname()[1]
        closed.close()  # nothing listens here any more: connections are refused

    def seeds(self):
        return [("blackhole", f"http://127.0.0.1:{self.blackhole_port}"),
                ("garbage", f"http://127.0.0.1:{self.garbage_port}"),
                ("unreachable", f"http://127.0.0.1:{self.closed_port}")]

    def _listen(self, handler):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        s.settimeout(0.2)
        self._sockets.append(s)
        t = threading.Thread(target=self._accept_loop, args=(s, handler), daemon=True)
        self._threads.append(t)
        return s.getsockname()[1]

    def start(self):
        for t in self._threads:
            t.start()

    def _accept_loop(self, s, handler):
        held = []
        while not self._stop.is_set():
            try:
                conn, _ = s.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            held.append(conn)
            held = handler(conn, held)
        for c in held:
            c.close()

    def _blackhole(self, conn, held):
        # Keep the connection open and never answer; bounded: keep only the newest 50.
        if len(held) > 50:
            held.pop(0).close()
        return held

    def _garbage(self, conn, held):
        conn.settimeout(1)
        try:
            conn.recv(65536)
            body = b'{"state": "running", "role": ["master"' + b"\x00\xff" * 8
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
        except OSError:
            pass
        conn.close()
        held.remove(conn)
        return held

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=2)
        for s in self._sockets:
            s.close()
