"""A tiny DNS server for the tests: UDP on 127.0.0.1, a free port, answering TXT and MX records
from a dictionary with dnspython's message module (NXDOMAIN for names it does not know)."""

import socket
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset


class DnsServer:
    def __init__(self, records: dict[tuple[str, str], list[str]]):
        """``records`` maps (name, "TXT" or "MX") to record texts in zone-file form."""
        self.records = {(name.rstrip(".").lower(), kind): values for (name, kind), values in records.items()}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.queries: list[tuple[str, str]] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._running = True

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._running = False
        self.sock.close()
        self._thread.join(timeout=2)

    def _serve(self) -> None:
        while self._running:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            self.sock.sendto(self.answer(dns.message.from_wire(data)).to_wire(), peer)

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text().rstrip(".").lower()
        kind = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, kind))
        values = self.records.get((name, kind))
        if values is None:
            if not any(known == name for known, _kind in self.records):
                response.set_rcode(dns.rcode.NXDOMAIN)
            return response
        response.answer.append(dns.rrset.from_text_list(question.name, 300, dns.rdataclass.IN, kind, values))
        return response
