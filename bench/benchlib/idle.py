"""Many idle PostgreSQL clients from one process: asyncio, the v3 startup and authentication
handshake (SCRAM-SHA-256, MD5, cleartext or trust) done by hand, then the connection is held
open without a query. Stdlib only. The salted password of SCRAM is cached per (salt,
iterations), so 10,000 logins cost the client ~10,000 HMACs, not 10,000 PBKDF2 runs.

    res = open_idle(port, 10000, user="app", password="apppass", dbname="appdb",
                    hold=lambda: measure(), concurrency=200)
"""
import asyncio
import base64
import hashlib
import hmac
import os
import resource
import struct
import time


def raise_nofile(want):
    """Raises the soft RLIMIT_NOFILE towards want (capped at the hard limit); returns the new
    soft limit. Children started afterwards inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


class LoginError(Exception):
    pass


_salted_cache = {}


def _salted(password, salt, iterations):
    key = (password, salt, iterations)
    v = _salted_cache.get(key)
    if v is None:
        v = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
        _salted_cache[key] = v
    return v


def startup_message(user, dbname, application_name="pgfront-bench-idle"):
    body = struct.pack("!i", 196608)
    for k, v in (("user", user), ("database", dbname), ("application_name", application_name)):
        body += k.encode() + b"\0" + v.encode() + b"\0"
    body += b"\0"
    return struct.pack("!i", len(body) + 4) + body


def _msg(kind, payload):
    return kind + struct.pack("!i", len(payload) + 4) + payload


async def _read_msg(reader):
    head = await reader.readexactly(5)
    kind, length = head[:1], struct.unpack("!i", head[1:])[0]
    if length < 4 or length > 1 << 20:
        raise LoginError(f"bad message length {length}")
    return kind, await reader.readexactly(length - 4)


def _error_text(payload):
    fields = {}
    for part in payload.split(b"\0"):
        if part:
            fields[part[:1]] = part[1:].decode("utf-8", "replace")
    return f"{fields.get(b'S', 'ERROR')}: {fields.get(b'M', '?')}"


def scram_client_first(nonce):
    bare = f"n=,r={nonce}"
    return "n,," + bare, bare


def scram_client_final(password, client_first_bare, server_first, nonce):
    """(client-final message, expected server signature) for a server-first message."""
    attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
    if not attrs["r"].startswith(nonce):
        raise LoginError("SCRAM: server nonce does not extend ours")
    salt, iterations = base64.b64decode(attrs["s"]), int(attrs["i"])
    salted = _salted(password, salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    without_proof = f"c=biws,r={attrs['r']}"
    auth_message = f"{client_first_bare},{server_first},{without_proof}".encode()
    signature = hmac.new(stored_key, auth_message, "sha256").digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    server_sig = hmac.new(server_key, auth_message, "sha256").digest()
    return f"{without_proof},p={base64.b64encode(proof).decode()}", base64.b64encode(server_sig).decode()


async def login(host, port, user, password, dbname, timeout=30.0):
    """Opens one connection and completes the login (until ReadyForQuery). Returns (reader,
    writer); raises LoginError / OSError / asyncio.TimeoutError."""
    async def go():
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(startup_message(user, dbname))
            nonce = client_first_bare = expected_sig = None
            while True:
                kind, payload = await _read_msg(reader)
                if kind == b"E":
                    raise LoginError(_error_text(payload))
                if kind == b"Z":
                    return reader, writer
                if kind != b"R":
                    continue  # ParameterStatus, BackendKeyData, NoticeResponse
                code = struct.unpack("!i", payload[:4])[0]
                if code == 0:
                    continue
                if code == 3:
                    writer.write(_msg(b"p", password.encode() + b"\0"))
                elif code == 5:
                    inner = hashlib.md5(password.encode() + user.encode()).hexdigest()
                    outer = "md5" + hashlib.md5(inner.encode() + payload[4:8]).hexdigest()
                    writer.write(_msg(b"p", outer.encode() + b"\0"))
                elif code == 10:
                    mechs = [m.decode() for m in payload[4:].split(b"\0") if m]
                    if "SCRAM-SHA-256" not in mechs:
                        raise LoginError(f"no SCRAM-SHA-256 among {mechs}")
                    nonce = base64.b64encode(os.urandom(18)).decode()
                    first, client_first_bare = scram_client_first(nonce)
                    body = b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first.encode()
                    writer.write(_msg(b"p", body))
                elif code == 11:
                    final, expected_sig = scram_client_final(password, client_first_bare,
                                                             payload[4:].decode(), nonce)
                    writer.write(_msg(b"p", final.encode()))
                elif code == 12:
                    got = payload[4:].decode()
                    if expected_sig and got != f"v={expected_sig}":
                        raise LoginError("SCRAM: wrong server signature")
                else:
                    raise LoginError(f"unsupported authentication request {code}")
                await writer.drain()
        except BaseException:
            writer.close()
            raise
    return await asyncio.wait_for(go(), timeout)


async def _open_many(host, port, n, user, password, dbname, concurrency, timeout, deadline):
    sem = asyncio.Semaphore(concurrency)
    conns, errors = [], {}

    async def one():
        if time.monotonic() > deadline:
            errors["not attempted: time bound reached"] = errors.get("not attempted: time bound reached", 0) + 1
            return
        async with sem:
            try:
                conns.append(await login(host, port, user, password, dbname, timeout))
            except (OSError, LoginError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
                key = (str(e) or type(e).__name__)[:160]
                errors[key] = errors.get(key, 0) + 1

    await asyncio.gather(*(one() for _ in range(n)))
    return conns, errors


async def _close_all(conns):
    for _, w in conns:
        try:
            w.write(b"X\0\0\0\4")
            w.close()
        except Exception:  # noqa: BLE001 - closing anyway
            pass
    for _, w in conns:
        try:
            await asyncio.wait_for(w.wait_closed(), 2)
        except Exception:  # noqa: BLE001
            pass


def open_idle(port, n, *, user, password, dbname, host="127.0.0.1", hold=None, concurrency=200,
              timeout=30.0, bound=300.0):
    """Opens n idle logged-in clients (at most `concurrency` handshakes at once, the whole
    opening bounded by `bound` seconds), calls hold() while they are all open, closes them.
    Returns {opened, failed, errors, open_seconds, held: hold()'s result}."""
    raise_nofile(n + 200)

    async def main():
        t0 = time.monotonic()
        conns, errors = await _open_many(host, port, n, user, password, dbname, concurrency, timeout,
                                         t0 + bound)
        opened_at = time.monotonic()
        try:
            held = await asyncio.get_running_loop().run_in_executor(None, hold) if hold else None
        finally:
            await _close_all(conns)
        return {"opened": len(conns), "failed": sum(errors.values()),
                "errors": sorted(errors.items(), key=lambda kv: -kv[1])[:3],
                "open_seconds": round(opened_at - t0, 2), "held": held}

    return asyncio.run(main())
