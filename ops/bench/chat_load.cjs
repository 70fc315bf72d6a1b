// The chat benchmark's load (ops/bench/chat.py runs it):
// node chat_load.cjs <url> <pairs.json> <rate> <seconds> <out.json>
// Connects both sides of every conversation and joins its room, then sends `rate` messages/s for
// `seconds` (after 2 s of warm-up), conversations in turn, sides alternating, and writes JSON:
// for each message, ms from the send to its delivery on the other side's socket, and to the ack.
// NODE_PATH points at tests/e2e/realtime/node/node_modules (socket.io-client).
const { io } = require("socket.io-client");
const fs = require("fs");

const [url, pairsFile, rateText, secondsText, outFile] = process.argv.slice(2);
const pairs = JSON.parse(fs.readFileSync(pairsFile, "utf8"));
const rate = Number(rateText);
const seconds = Number(secondsText);
const sent = new Map();
const delivered = new Map();
const acked = new Map();
const refused = [];
const now = () => Number(process.hrtime.bigint()) / 1e6;
const wallOffset = Date.now() - now();  // hrtime to epoch ms, for the slowest messages' wall clock

function connect(token, conversation, me) {
  return new Promise((resolve, reject) => {
    const socket = io(url, { auth: { token }, transports: ["websocket"], reconnection: false, timeout: 30000 });
    socket.on("chat.message", (push) => {
      const key = push.data.client_message_id;
      if (key.endsWith(`:${1 - me}`) && !delivered.has(key)) delivered.set(key, now());
    });
    socket.once("connect", async () => {
      const joined = await socket.timeout(30000).emitWithAck("join", { room: `chat:${conversation}` });
      if (!joined.ok) reject(new Error(`join refused for ${conversation}`));
      resolve(socket);
    });
    socket.once("connect_error", reject);
  });
}

async function connectAll(limit = 64) {
  const queue = pairs.flatMap((pair, n) => [[n, 0], [n, 1]]);
  const sockets = pairs.map(() => [null, null]);
  async function lane() {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const [n, me] = item;
      sockets[n][me] = await connect(pairs[n].tokens[me], pairs[n].conversation, me);
    }
  }
  await Promise.all(Array.from({ length: limit }, lane));
  return sockets;
}

function send(socket, conversation, key) {
  sent.set(key, now());
  socket.timeout(30000).emitWithAck("send", { conversation_id: conversation, text: `set ${key} done`, client_message_id: key })
    .then((ack) => { acked.set(key, now()); if (!ack.ok) refused.push(ack.error); })
    .catch(() => refused.push({ timeout: true }));
}

async function steady(sockets, tag, duration) {
  const keys = [];
  const start = now();
  for (let n = 0; start + (n * 1000) / rate < start + duration * 1000; n++) {
    const due = start + (n * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p = n % pairs.length;
    const me = Math.floor(n / pairs.length) % 2;
    const key = `${tag}-${n}:${me}`;
    keys.push(key);
    send(sockets[p][me], pairs[p].conversation, key);
  }
  const deadline = now() + 15000;
  while (now() < deadline && keys.some((k) => !delivered.has(k))) await new Promise((r) => setTimeout(r, 50));
  return keys;
}

(async () => {
  const sockets = await connectAll();
  await steady(sockets, "warm", 2);
  refused.length = 0;
  if (process.env.CHAT_LOAD_MARK) fs.writeFileSync(process.env.CHAT_LOAD_MARK, "run");  // for profilers
  const keys = await steady(sockets, "run", seconds);
  const out = { delivered: [], acked: [], lost: 0, refused: refused.slice(0, 5), refusedCount: refused.length };
  for (const k of keys) {
    if (delivered.has(k)) out.delivered.push(delivered.get(k) - sent.get(k)); else out.lost++;
    if (acked.has(k)) out.acked.push(acked.get(k) - sent.get(k));
  }
  // the slowest 40 deliveries with their wall-clock send time, to line them up with server logs
  out.slowest = keys.filter((k) => delivered.has(k)).map((k) => [Math.round(sent.get(k) + wallOffset),
    Math.round(delivered.get(k) - sent.get(k)), acked.has(k) ? Math.round(acked.get(k) - sent.get(k)) : null])
    .sort((a, b) => b[1] - a[1]).slice(0, 40);
  for (const pair of sockets) for (const s of pair) s.close();
  fs.writeFileSync(outFile, JSON.stringify(out));
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
