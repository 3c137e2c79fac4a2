"""A local HTTP server standing in for an SMS gateway or Zalo's API: it records every request exactly (path,
headers, JSON body) and plays back the answers a test scripts: a JSON answer with a status, or silence
longer than the client's timeout."""

import http.server
import json
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Request:
    path: str
    headers: dict
    body: object


@dataclass
class Gateway:
    url: str
    requests: list = field(default_factory=list)
    # Answers to play, in order; the last one is repeated: (status, json) or ("sleep", seconds).
    answers: list = field(default_factory=list)

    def answer(self, *answers) -> None:
        self.answers[:] = list(answers)


def start_gateway():
    state: dict = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            gateway = state["gateway"]
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            gateway.requests.append(
                Request(path=self.path, headers={k.lower(): v for k, v in self.headers.items()}, body=json.loads(raw))
            )
            answer = gateway.answers.pop(0) if len(gateway.answers) > 1 else gateway.answers[0]
            if answer[0] == "sleep":
                time.sleep(answer[1])
                return
            status, payload = answer
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    gateway = Gateway(url=f"http://127.0.0.1:{server.server_address[1]}/send")
    state["gateway"] = gateway
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, gateway
