// Headless Firefox ESR driven through WebDriver BiDi by puppeteer-core (no geckodriver), for
// tests/engines/drivers.py: one JSON command a line on stdin, one JSON answer a line on stdout.
//
//   {"op": "goto", "url": ...}                    load a page (until its load event)
//   {"op": "run", "script": "async (a) => …", "args": [...]}   the function's (awaited) result
//   {"op": "click", "selector": ...}              a real click (pointer events from the driver)
//   {"op": "clickAt", "selector": ..., "fx": 0.5, "fy": 0.5}  a click at fractions of the element's box
//   {"op": "upload", "selector": ..., "path": ...} choose a file in an <input type=file>
//   {"op": "key", "key": "ArrowRight"}            a key press (keyboard events from the driver)
//   {"op": "requests"}                            every URL the page asked for since the last call
//   {"op": "close"}
// Answers: {"ok": true, "value": ...} or {"ok": false, "error": "..."}.
import readline from "node:readline";
import puppeteer from "puppeteer-core";

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr",
  protocol: "webDriverBiDi",
  protocolTimeout: 330_000, // past the scripts' own hang bound (audience.py's `until`), which says what never happened
  headless: true,
  extraPrefsFirefox: {
    // every host but 127.0.0.1 goes to a proxy that is not there: nothing leaves the machine
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": 9,
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": 9,
    "network.proxy.no_proxies_on": "127.0.0.1",
    "network.proxy.allow_hijacking_localhost": false,
  },
});
const page = await browser.newPage();
page.setDefaultTimeout(300_000);
await page.setViewport({ width: 1280, height: 800 });
let requests = [];
page.on("request", (request) => requests.push(request.url()));

const ops = {
  version: async () => `Firefox ${await browser.version()}`,
  goto: async ({ url }) => { await page.goto(url, { waitUntil: "load" }); return page.url(); },
  run: async ({ script, args }) => page.evaluate(`(${script})(...${JSON.stringify(args ?? [])})`),
  click: async ({ selector }) => {
    const element = await page.$(selector);
    await element.evaluate((el) => el.scrollIntoView({ block: "center" })); // clear of the sticky header
    await element.click();
  },
  clickAt: async ({ selector, fx, fy }) => {
    const element = await page.$(selector);
    await element.evaluate((el) => el.scrollIntoView({ block: "center" }));
    const box = await element.boundingBox();
    await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
  },
  upload: async ({ selector, path }) => (await page.$(selector)).uploadFile(path),
  key: async ({ key }) => page.keyboard.press(key),
  requests: async () => { const seen = requests; requests = []; return seen; },
  close: async () => { await browser.close(); process.exit(0); },
};

const answer = (reply) => process.stdout.write(`${JSON.stringify(reply)}\n`);
answer({ ok: true, value: "ready" });
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const command = JSON.parse(line);
  try {
    answer({ ok: true, value: (await ops[command.op](command)) ?? null });
  } catch (error) {
    answer({ ok: false, error: String(error?.stack ?? error) });
  }
}
await browser.close();
