"""A private dovecot IMAP server for the tests: its own configuration folder, a passwd-file user
and Maildir in a temporary folder, listening on 127.0.0.1 on free high ports (plain/STARTTLS and
TLS, with a certificate made here). Nothing of the system's dovecot configuration is read; port 143
is never used. Missing dovecot fails loudly with what to install, never skips."""

import grp
import imaplib
import os
import pwd
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from netmark.mailing.imap import login
from netmark.mailing.tests.smtpd import free_port

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "bounces", "imap-test-密码"
MISSING = (
    "dovecot is not installed: run 'scripts/testenv.sh packages' (installs the Debian package "
    "dovecot-imapd) or 'apt-get install dovecot-imapd'"
)


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


class Dovecot:
    """``with Dovecot() as server:`` ``server.port`` (plain and STARTTLS), ``server.tls_port``."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="netmark-dovecot-"))
        self.port, self.tls_port = free_port(), free_port()
        self.process = None

    def _users(self) -> tuple[str, int, int]:
        """(login/internal user, mail uid, mail gid): as root, the package's unprivileged users."""
        if os.getuid() != 0:
            me = pwd.getpwuid(os.getuid())
            return me.pw_name, me.pw_uid, me.pw_gid
        owner = pwd.getpwnam("dovecot")
        return "dovecot", owner.pw_uid, owner.pw_gid

    def _config(self) -> Path:
        internal, uid, gid = self._users()
        home = self.folder / "home"
        home.mkdir()
        cert, key = _certificate(self.folder)
        (self.folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{home}\n")
        if os.getuid() == 0:  # the mail processes run as the package's user and write the Maildir
            for path in (self.folder, home):
                os.chown(path, uid, gid)
        config = self.folder / "dovecot.conf"
        config.write_text(
            f"""
base_dir = {self.folder}/run
state_dir = {self.folder}/state
instance_name = netmark-test-{self.port}
log_path = {self.folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
default_login_user = {internal}
first_valid_uid = {min(uid, 100)}
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{home}/Maildir
mail_uid = {uid}
mail_gid = {gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {self.folder}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
        )
        return config

    def __enter__(self) -> "Dovecot":
        if not os.path.exists(DOVECOT):
            raise RuntimeError(MISSING)
        config = self._config()
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode("utf-8", "replace")
                raise RuntimeError(f"dovecot stopped: {output}\n{self.log()}")
            try:
                with self.client():
                    return self
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"dovecot did not answer on 127.0.0.1:{self.port}\n{self.log()}")

    def __exit__(self, *exc_info) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    def certificate(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.folder / "cert.pem"))
        return context

    def client(self, folder: str = "INBOX") -> "Mailbox":
        return Mailbox(self.port, folder)

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Delivers ``raw`` by IMAP APPEND (CRLF line endings, as on the wire)."""
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        with self.client() as client:
            typ, data = client.append(folder, None, None, raw)
            assert typ == "OK", data

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """The raw messages of ``folder`` (read with BODY.PEEK: nothing changes); [] when absent."""
        with self.client() as client:
            typ, _data = client.select(f'"{folder}"', readonly=True)
            if typ != "OK":
                return []
            _typ, data = client.uid("SEARCH", "ALL")
            found = []
            for uid in data[0].split():
                _typ, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                found.extend(part[1] for part in parts if isinstance(part, tuple))
            return found

    def keywords(self, folder: str = "INBOX") -> list[str]:
        with self.client() as client:
            client.select(f'"{folder}"', readonly=True)
            _typ, data = client.uid("FETCH", "1:*", "(FLAGS)")
            return [part.decode() for part in data if isinstance(part, bytes)]


class Mailbox(imaplib.IMAP4):
    """A logged-in test client on the private server (for putting mail in and looking)."""

    def __init__(self, port: int, folder: str):
        super().__init__("127.0.0.1", port, timeout=10)
        login(self, USER, PASSWORD)

    def __exit__(self, *args):
        try:
            if self.state == "SELECTED":
                self.close()
            self.logout()
        except (OSError, imaplib.IMAP4.error):
            self.shutdown()
