#!/usr/bin/python3
"""cdp.py - drive a running headless Chromium through its DevTools protocol
(Debian's python3-websocket), for the browser tests.

Start Chromium with --remote-debugging-port=PORT first. Each command opens a
new tab, does its work and closes the tab:

  cdp.py --port PORT run URL STEPS.json

STEPS.json is a list of steps, run in order in that tab:
  {"wait": "JS expression", "timeout": 10}   until it is truthy (fails after timeout)
  {"eval": "JS expression", "out": "FILE"}   its value (JSON) into FILE
  {"screenshot": "FILE.png"}                 the tab as a PNG
  {"sleep": 0.5}
Exit status 0 when every step worked; 1 with a message on stderr otherwise.
"""
import argparse
import base64
import json
import sys
import time
import urllib.request

import websocket


def http_json(port, path, method="GET"):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read().decode())


class Tab:
    def __init__(self, port, url):
        self.port = port
        self.target = http_json(port, "/json/new?about:blank", method="PUT")
        self.ws = websocket.create_connection(self.target["webSocketDebuggerUrl"], timeout=15,
                                              suppress_origin=True)
        self.n = 0
        self.events = []
        self.call("Runtime.enable")
        self.call("Page.enable")
        self.call("Log.enable")
        self.call("Page.navigate", url=url)

    def call(self, method, **params):
        self.n += 1
        my = self.n
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def evaluate(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expr, r["exceptionDetails"].get("text")))
        return r.get("result", {}).get("value")

    def close(self):
        try:
            self.ws.close()
        finally:
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/json/close/%s" % (self.port, self.target["id"]),
                                       timeout=5).read()
            except Exception:
                pass


def run(port, url, steps):
    tab = Tab(port, url)
    try:
        for st in steps:
            if "wait" in st:
                end = time.time() + float(st.get("timeout", 10))
                while True:
                    try:
                        if tab.evaluate(st["wait"]):
                            break
                    except RuntimeError:
                        pass  # the page is still loading
                    if time.time() > end:
                        raise RuntimeError("timed out waiting for: %s (page text: %r)" %
                                           (st["wait"], tab.evaluate("document.body ? document.body.innerText : ''")))
                    time.sleep(0.05)
            elif "eval" in st:
                v = tab.evaluate(st["eval"])
                with open(st["out"], "w") as f:
                    json.dump(v, f)
                    f.write("\n")
            elif "screenshot" in st:
                r = tab.call("Page.captureScreenshot", format="png")
                with open(st["screenshot"], "wb") as f:
                    f.write(base64.b64decode(r["data"]))
            elif "sleep" in st:
                time.sleep(float(st["sleep"]))
            else:
                raise RuntimeError("unknown step %r" % st)
        # what the console and the CSP said, for the test log
        for ev in tab.events:
            if ev.get("method") in ("Log.entryAdded", "Runtime.consoleAPICalled"):
                print("console: %s" % json.dumps(ev.get("params"))[:300], file=sys.stderr)
    finally:
        tab.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("url")
    r.add_argument("steps")
    a = ap.parse_args()
    end = time.time() + 15
    while True:  # Chromium takes a moment to open its port
        try:
            http_json(a.port, "/json/version")
            break
        except Exception:
            if time.time() > end:
                sys.exit("cdp.py: no Chromium DevTools on port %d" % a.port)
            time.sleep(0.1)
    with open(a.steps) as f:
        steps = json.load(f)
    try:
        run(a.port, a.url, steps)
    except Exception as e:
        sys.exit("cdp.py: %s" % e)


if __name__ == "__main__":
    main()
