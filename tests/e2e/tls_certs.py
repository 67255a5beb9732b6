"""Real X.509 certificates for the TLS tests, made at test time with the `openssl` CLI in a
directory the caller owns (P-256 keys: quick to make). Nothing here is a fixture on disk.

    certs = CertFactory(tmpdir)
    ca = certs.ca("pgfront-test-ca")
    server = certs.issue(ca, "localhost", san="DNS:localhost,IP:127.0.0.1")
    client = certs.issue(ca, "app", client=True)
    server.cert, server.key, server.serial   # paths and the serial as an int
"""
import os
import subprocess
from dataclasses import dataclass


@dataclass
class Cert:
    name: str
    cert: str
    key: str
    serial: int


class CertFactory:
    def __init__(self, directory):
        self.dir = directory
        self._next_serial = 0x1000

    def _run(self, *args):
        subprocess.run(["openssl", *args], check=True, cwd=self.dir, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=30)

    def _paths(self, name):
        return os.path.join(self.dir, f"{name}.crt"), os.path.join(self.dir, f"{name}.key")

    def ca(self, common_name):
        cert, key = self._paths(common_name)
        self._run("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                  "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={common_name}",
                  "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        os.chmod(key, 0o600)
        return Cert(common_name, cert, key, 0)

    def issue(self, ca, common_name, san=None, client=False, file_name=None):
        """A leaf certificate signed by `ca`, with a serial of its own (so a renewed
        certificate is told apart from the old one)."""
        name = file_name or common_name
        cert, key = self._paths(name)
        csr = os.path.join(self.dir, f"{name}.csr")
        ext = os.path.join(self.dir, f"{name}.ext")
        self._next_serial += 1
        serial = self._next_serial
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\n")
            f.write(f"extendedKeyUsage={'clientAuth' if client else 'serverAuth'}\n")
            if san:
                f.write(f"subjectAltName={san}\n")
        self._run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                  "-keyout", key, "-out", csr, "-subj", f"/CN={common_name}")
        self._run("x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-set_serial", str(serial),
                  "-days", "2", "-out", cert, "-extfile", ext)
        os.chmod(key, 0o600)
        return Cert(common_name, cert, key, serial)
