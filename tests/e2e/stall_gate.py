"""A TCP gate in front of a real PostgreSQL or Patroni REST API: it relays bytes both ways
until told to stall (all new connections, or the next few), after which it accepts new
connections and never answers them, the way a server under a frozen disk, a half-dead
network or a Patroni busy restarting its PostgreSQL behaves. Fault injection between pgfront
and the real server (the cluster and Patroni stay real); loopback only, bounded by the
test's own connections, and every socket and thread is closed by close()."""
import socket
import threading
import time


class StallGate:
    def __init__(self, target_port, host="127.0.0.1"):
        self._target = (host, target_port)
        self._stalling = False
        self._stall_next = 0
        self._delay_next = []  # seconds to hold each of the next connections before relaying
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._sockets = []
        self._threads = []
        # (accepted at, closed by the peer at or None) for each connection accepted while stalling
        self.stalled = []
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._spawn(self._accept_loop)

    def stall(self):
        with self._lock:
            self._stalling = True

    def relay(self):
        with self._lock:
            self._stalling = False
            self._stall_next = 0

    def stall_next(self, count=1):
        """Holds the next `count` connections silent, then relays again."""
        with self._lock:
            self._stall_next = count

    def delay_next(self, count=1, seconds=1.0):
        """Holds the next `count` connections `seconds` (what the peer sends waits in the
        socket), then relays them: a server slow to answer, not a dead one."""
        with self._lock:
            self._delay_next = [seconds] * count

    def delays_pending(self):
        """How many of the connections delay_next() asked for have not arrived yet."""
        with self._lock:
            return len(self._delay_next)

    def stalled_lifetimes(self):
        """Seconds each stalled connection lived before its peer (pgfront) closed it; only
        the connections already closed."""
        with self._lock:
            return [closed - accepted for accepted, closed in self.stalled if closed is not None]

    def close(self):
        self._closed.set()
        with self._lock:
            sockets = list(self._sockets)
        for s in sockets + [self._listener]:
            try:
                s.close()
            except OSError:
                pass
        for t in self._threads:
            t.join(5)

    def _spawn(self, target, *args):
        t = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(t)
        t.start()

    def _track(self, s):
        with self._lock:
            self._sockets.append(s)

    def _accept_loop(self):
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self._track(conn)
            with self._lock:
                stalling = self._stalling or self._stall_next > 0
                self._stall_next = max(0, self._stall_next - 1)
                if stalling:
                    self.stalled.append([time.monotonic(), None])
                    index = len(self.stalled) - 1
                delay = self._delay_next.pop(0) if self._delay_next and not stalling else 0
            if stalling:
                self._spawn(self._hold, conn, index)
            else:
                self._spawn(self._open_relay, conn, delay)

    def _hold(self, conn, index):
        """Reads what comes (the startup packet) and answers nothing; notes when the peer
        gives up (EOF or reset)."""
        conn.settimeout(0.2)
        while not self._closed.is_set():
            try:
                if conn.recv(65536):
                    continue
            except socket.timeout:
                continue
            except OSError:
                pass
            with self._lock:
                self.stalled[index][1] = time.monotonic()
            return

    def _open_relay(self, client, delay=0):
        if delay and self._closed.wait(delay):
            client.close()
            return
        try:
            server = socket.create_connection(self._target, timeout=5)
        except OSError:
            client.close()
            return
        server.settimeout(None)
        client.settimeout(None)
        self._track(server)
        self._spawn(self._pump, client, server)
        self._spawn(self._pump, server, client)

    def _pump(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
