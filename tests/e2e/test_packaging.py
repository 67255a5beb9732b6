#!/usr/bin/python3
"""The Debian package, end to end on this machine: cpack builds the .deb from the build tree
under test, dpkg installs it, the installed binaries, unit, configuration and man pages work,
the unit passes `systemd-analyze verify` at its installed path, a reinstall keeps an edited
conffile, and `dpkg --purge` leaves nothing behind (the pgfront user included, when this
install created it).

Needs root. It refuses to run when a pgfront package (or /etc/pgfront) is already present,
and always purges what it installed: module cleanup, atexit and SIGTERM (ctest's timeout)."""
import atexit
import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

import e2e_common
from e2e_common import REPO

PACKAGE = "pgfront"
IP_NETNS = "/usr/sbin/ip"
UNIT = "/lib/systemd/system/pgfront.service"
CONFIG = "/etc/pgfront/pgfront.yaml"
USERLIST = "/etc/pgfront/userlist.txt"
EXPECTED_FILES = ["/usr/bin/pgfront", "/usr/bin/proxyctl", UNIT, CONFIG, USERLIST,
                  "/usr/share/man/man1/pgfront.1.gz", "/usr/share/man/man1/proxyctl.1.gz"]

STATE = {"installed_by_us": False, "deb": None, "workdir": None, "user_existed": None, "files": []}


def sh(*cmd, check=True, timeout=300, env=None):
    r = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout, env=env)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout}{r.stderr}")
    return r


def package_status():
    """dpkg's status of the pgfront package ('' when dpkg knows nothing of it)."""
    r = sh("dpkg-query", "-W", "-f=${Status}", PACKAGE, check=False)
    return r.stdout.strip() if r.returncode == 0 else ""


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def purge_ours():
    """Purges the package if this module installed it; safe to call more than once."""
    if STATE["installed_by_us"] and package_status():
        r = sh("dpkg", "--purge", PACKAGE, check=False)
        if r.returncode != 0:
            print(f"test_packaging: dpkg --purge failed:\n{r.stdout}{r.stderr}", file=sys.stderr)
    STATE["installed_by_us"] = False
    if STATE["workdir"]:
        shutil.rmtree(STATE["workdir"], ignore_errors=True)
        STATE["workdir"] = None


def on_sigterm(signum, frame):
    purge_ours()
    sys.exit(128 + signum)


def build_dir():
    # --pgfront is BUILD/app/pgfront
    return os.path.dirname(os.path.dirname(e2e_common.pgfront_binary()))


def setUpModule():
    if os.geteuid() != 0:
        raise RuntimeError("test_packaging needs root (dpkg -i / --purge)")
    status = package_status()
    if status and "not-installed" not in status:
        raise RuntimeError(f"a {PACKAGE} package is already on this machine ({status}) and this test did not "
                           f"install it: refusing to touch it. Remove it (dpkg --purge {PACKAGE}) to run this test.")
    if os.path.exists("/etc/pgfront"):
        raise RuntimeError("/etc/pgfront exists without a pgfront package: refusing to install over it")
    STATE["user_existed"] = user_exists("pgfront")
    atexit.register(purge_ours)
    signal.signal(signal.SIGTERM, on_sigterm)
    unittest.addModuleCleanup(purge_ours)

    STATE["workdir"] = tempfile.mkdtemp(prefix="pgfront-pkg-")
    config = os.path.join(build_dir(), "CPackConfig.cmake")
    if not os.path.exists(config):
        raise RuntimeError(f"{config} is missing: the build tree has no CPack configuration")
    sh("cpack", "--config", config, "-B", STATE["workdir"])
    debs = glob.glob(os.path.join(STATE["workdir"], "pgfront_*.deb"))
    if len(debs) != 1:
        raise RuntimeError(f"cpack made {debs}, expected one pgfront_*.deb")
    STATE["deb"] = debs[0]

    STATE["installed_by_us"] = True  # from here on, a half-done install is ours to purge
    sh("dpkg", "-i", STATE["deb"])
    STATE["files"] = [f for f in sh("dpkg-query", "-L", PACKAGE).stdout.split("\n") if f]


def unit_settings():
    settings = {}
    with open(UNIT) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", "[")) and "=" in line:
                key, value = line.split("=", 1)
                settings.setdefault(key, []).append(value)
    return settings


def as_unit_user(cmd, capabilities):
    """cmd run as the unit's user with the unit's ambient capabilities (what systemd does)."""
    caps = ",".join("+" + c.lower().removeprefix("cap_") for c in capabilities)
    return ["setpriv", "--reuid", "pgfront", "--regid", "pgfront", "--init-groups",
            "--inh-caps", caps, "--ambient-caps", caps, *cmd]


class Package(unittest.TestCase):
    def test_01_deb_contents_and_control(self):
        listing = sh("dpkg-deb", "-c", STATE["deb"]).stdout
        for path in EXPECTED_FILES:
            self.assertRegex(listing, r"\s\." + re.escape(path) + r"\n", path)
        self.assertNotRegex(listing, r"/usr/local|unit_|_fuzz|/include/", "only the product is packaged")
        depends = sh("dpkg-deb", "-f", STATE["deb"], "Depends").stdout
        for dep in ("adduser", "libc6", "libstdc++6", "libssl3", "libyaml-cpp0.7", "libspdlog1.10"):
            self.assertIn(dep, depends)
        with tempfile.TemporaryDirectory() as control:
            sh("dpkg-deb", "-e", STATE["deb"], control)
            with open(os.path.join(control, "conffiles")) as f:
                self.assertEqual(f.read().split(), [CONFIG, USERLIST])
            for script in ("postinst", "prerm", "postrm"):
                self.assertTrue(os.access(os.path.join(control, script), os.X_OK), script)

    def test_02_installed_binaries_run(self):
        version = sh(e2e_common.pgfront_binary(), "--version").stdout
        self.assertEqual(sh("/usr/bin/pgfront", "--version").stdout, version)
        self.assertRegex(sh("/usr/bin/proxyctl", "--version").stdout, r"\d+\.\d+\.\d+")
        for path in EXPECTED_FILES:
            self.assertIn(path, STATE["files"])
            self.assertTrue(os.path.exists(path), path)

    def test_03_example_config_is_valid_for_the_unit_user(self):
        r = sh("/usr/bin/pgfront", "--check-config", "-c", CONFIG)
        self.assertIn("configuration is valid", r.stdout)
        # The unit runs as pgfront: it must read both files, others must not.
        r = sh("setpriv", "--reuid", "pgfront", "--regid", "pgfront", "--init-groups",
               "/usr/bin/pgfront", "--check-config", "-c", CONFIG)
        self.assertIn("configuration is valid", r.stdout)
        for path, mode in ((CONFIG, 0o640), (USERLIST, 0o640), ("/etc/pgfront", 0o750)):
            st = os.stat(path)
            self.assertEqual(st.st_mode & 0o777, mode, path)
            self.assertEqual((st.st_uid, st.st_gid), (0, pwd.getpwnam("pgfront").pw_gid), path)
        r = sh("setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", "cat", USERLIST, check=False)
        self.assertNotEqual(r.returncode, 0)

    def test_04_example_vip_section_is_valid_when_uncommented(self):
        with open(CONFIG) as f:
            text = f.read()
        self.assertIn("\n#vip:\n", text)
        head, tail = text.split("\n#vip:\n", 1)
        uncommented = head + "\nvip:\n" + re.sub(r"(?m)^#", "", tail)
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "pgfront.yaml"), "w") as f:
                f.write(uncommented)
            shutil.copy(USERLIST, d)
            r = sh("/usr/bin/pgfront", "--check-config", "-c", os.path.join(d, "pgfront.yaml"))
        self.assertIn("configuration is valid", r.stdout)

    def test_05_unit_verifies_and_says_what_the_issue_asks(self):
        r = sh("systemd-analyze", "verify", UNIT, check=False)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stderr.strip(), "", "systemd-analyze verify warns")
        s = unit_settings()
        self.assertEqual(s["Type"], ["notify"])
        self.assertEqual(s["User"], ["pgfront"])
        self.assertEqual(s["ExecReload"], ["/bin/kill -HUP $MAINPID"])
        self.assertEqual(s["ExecStopPost"], [f"/usr/bin/pgfront --release-vip -c {CONFIG}"])
        caps = {"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE"}
        self.assertEqual(set(s["AmbientCapabilities"][0].split()), caps)
        self.assertEqual(set(s["CapabilityBoundingSet"][0].split()), caps)
        self.assertGreaterEqual(int(s["LimitNOFILE"][0]), 20000)
        self.assertIn("WatchdogSec", s)
        families = set(s["RestrictAddressFamilies"][0].split())
        self.assertTrue({"AF_NETLINK", "AF_PACKET", "AF_INET"} <= families, families)
        for forbidden in ("PrivateNetwork", "PrivateUsers", "IPAddressDeny"):
            self.assertNotIn(forbidden, s, f"{forbidden} would cut the VRRP speaker off the host's network")

    def test_06_exec_stop_post_runs_as_the_unit_does(self):
        s = unit_settings()
        cmd = s["ExecStopPost"][0].split()
        r = sh(*as_unit_user(cmd, s["AmbientCapabilities"][0].split()))
        self.assertIn("has no vip: section; nothing to release", r.stdout)
        # ExecStart's binary, as that user: starts far enough to read its configuration.
        r = sh(*as_unit_user(["/usr/bin/pgfront", "--check-config", "-c", CONFIG],
                             s["AmbientCapabilities"][0].split()))
        self.assertEqual(r.returncode, 0)

    def test_06b_the_unit_user_with_its_capabilities_holds_and_releases_a_vip(self):
        """The installed binary as user pgfront with exactly the unit's ambient capabilities,
        in a network namespace (tests/e2e/netns.py, 198.18.0.0/15) in front of a real one-node
        cluster: it becomes Master and adds the VIP; after a SIGKILL the VIP stays, and the
        unit's ExecStopPost command, run the same way, removes it."""
        import netns
        from pgcluster import Cluster
        s = unit_settings()
        caps = s["AmbientCapabilities"][0].split()
        netns.reap_stale(lambda m: print(m, file=sys.stderr))
        work = tempfile.mkdtemp(prefix="pgfront-pkg-vip-")
        os.chmod(work, 0o755)  # the pgfront user reads its configuration here
        lab = cluster = proc = None
        try:
            lab = netns.Lab(hosts=["h1"], log=lambda m: print(m, file=sys.stderr))
            cluster = Cluster(nodes=1, scope="pkgvip", extra_address=lab.cluster_address,
                              extra_clients=lab.cluster_clients)
            cluster.start()
            nodes = [(n.name, n.pg_port, n.api_port) for n in cluster.nodes]
            config = os.path.join(work, "pgfront.yaml")
            with open(config, "w") as f:
                f.write(netns.pgfront_yaml(lab.cluster_address, nodes,
                                           {"version": 3, "advert_interval": "100ms", "priority": 150}))
            os.chmod(config, 0o644)
            log = os.path.join(work, "pgfront.log")
            proc = lab.popen("h1", as_unit_user(["/usr/bin/pgfront", "-c", config], caps), log_path=log)
            netns.wait_for(lambda: lab.has_address("h1"), 15, what="the unit user's pgfront to add the VIP")
            with open(log) as f:
                self.assertNotIn("cannot start", f.read())
            lab.stop(proc, signal.SIGKILL)
            self.assertTrue(lab.has_address("h1"), "a SIGKILLed speaker cannot remove its VIP")
            stop_post = [a if a != CONFIG else config for a in s["ExecStopPost"][0].split()]
            r = sh(IP_NETNS, "netns", "exec", lab.ns("h1"), *as_unit_user(stop_post, caps))
            self.assertIn("priority-0 advert", r.stdout)
            self.assertIn(f"removed {netns.VIP}/24", r.stdout)
            self.assertFalse(lab.has_address("h1"))
        finally:
            if lab and proc:
                lab.stop(proc, signal.SIGKILL)
            try:
                if cluster:
                    cluster.stop()
            finally:
                if lab:
                    lab.close()
                shutil.rmtree(work, ignore_errors=True)

    def test_07_man_pages(self):
        for page in ("pgfront", "proxyctl"):
            path = sh("man", "-w", page).stdout.strip()
            self.assertEqual(path, f"/usr/share/man/man1/{page}.1.gz")
            r = sh("man", "--warnings", "-P", "cat", page, env={**os.environ, "MANWIDTH": "80"})
            self.assertEqual(r.stderr.strip(), "", f"{page}(1) warnings")
            self.assertIn("SYNOPSIS", r.stdout)
            self.assertNotIn("@PGFRONT_VERSION@", r.stdout)
        text = sh("man", "-P", "cat", "pgfront").stdout
        for option in ("--check-config", "--release-vip", "--version", "SIGHUP", "READY=1", "WATCHDOG"):
            self.assertIn(option, text)

    def test_08_system_user(self):
        user = pwd.getpwnam("pgfront")
        self.assertLess(user.pw_uid, 1000, "a system user")
        self.assertIn(user.pw_shell, ("/usr/sbin/nologin", "/bin/false"))

    def test_09_reinstall_keeps_an_edited_conffile(self):
        with open(CONFIG, "a") as f:
            f.write("# edited by test_packaging\n")
        sh("dpkg", "-i", STATE["deb"])
        with open(CONFIG) as f:
            self.assertIn("# edited by test_packaging", f.read())
        self.assertEqual(os.stat(CONFIG).st_mode & 0o777, 0o640)
        self.assertIn("install ok installed", package_status())

    def test_10_remove_keeps_configuration_then_purge_removes_everything(self):
        sh("dpkg", "--remove", PACKAGE)
        self.assertIn("config-files", package_status())
        self.assertTrue(os.path.exists(CONFIG), "dpkg --remove keeps conffiles")
        self.assertFalse(os.path.exists("/usr/bin/pgfront"))
        sh("dpkg", "--purge", PACKAGE)
        STATE["installed_by_us"] = False
        self.assertEqual(package_status(), "")
        left = [f for f in STATE["files"] if f.startswith(("/etc/pgfront", "/usr/bin/", "/lib/systemd/system/pgfront",
                                                           "/usr/share/man/man1/p")) and os.path.exists(f)]
        self.assertEqual(left, [])
        for path in ("/etc/pgfront", "/var/lib/pgfront", "/var/log/pgfront"):
            self.assertFalse(os.path.exists(path), path)
        overrides = sh("dpkg-statoverride", "--list").stdout
        self.assertNotIn("/etc/pgfront", overrides)
        if not STATE["user_existed"]:
            self.assertFalse(user_exists("pgfront"), "postrm purge removes the user postinst created")
            self.assertEqual(sh("getent", "group", "pgfront", check=False).returncode, 2)
        else:
            self.assertTrue(user_exists("pgfront"), "a pgfront user that was there before is kept")


if __name__ == "__main__":
    e2e_common.main()
