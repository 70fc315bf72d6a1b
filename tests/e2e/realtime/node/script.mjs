// GymGenius realtime, as a JavaScript app sees it: node script.mjs <url> <token> <forged-token> <other-session-id>
// Prints one JSON object with what happened; exits 2 if it ran out of time.
import { io } from "socket.io-client";

const [url, token, forged, otherSession] = process.argv.slice(2);
const result = {};
const PUSH = "workout_session.updated";

setTimeout(() => {
  console.log(JSON.stringify({ ...result, timedOut: true }));
  process.exit(2);
}, 8000).unref();

function connect(auth) {
  return new Promise((resolve) => {
    const socket = io(url, { auth, reconnection: false, timeout: 5000 });
    socket.once("connect", () => resolve({ socket, connected: true }));
    socket.once("connect_error", (error) => {
      socket.close();
      resolve({ connected: false, reason: error.message });
    });
  });
}

function collectPushes(socket) {
  const pushes = [];
  const waiting = new Set();
  socket.on(PUSH, (push) => {
    pushes.push(push);
    for (const check of waiting) check();
  });
  const next = (id, position) =>
    new Promise((resolve) => {
      const check = () => {
        const found = pushes.find((push) => push.id === id && push.position >= position);
        if (found) {
          waiting.delete(check);
          resolve(found);
        }
      };
      waiting.add(check);
      check();
    });
  return { pushes, next };
}

async function startSession() {
  const answer = await fetch(`${url}/v1/commands/workout-sessions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: "{}",
  });
  return answer.json();
}

const join = (socket, id) => socket.timeout(5000).emitWithAck("join", { room: `workout-session:${id}` });

const { socket: _none, ...withoutToken } = await connect({});
result.withoutToken = withoutToken;
const { socket: _forged, ...forgedToken } = await connect({ token: forged });
result.forgedToken = forgedToken;

const { socket, connected } = await connect({ token });
result.connected = connected;
const { pushes, next } = collectPushes(socket);
const started = await startSession();
result.command = started;
result.push = await next(started.id, started.position);
result.joinOwn = await join(socket, started.id);
result.joinOther = await join(socket, otherSession);
result.pushCount = pushes.length;
socket.close();
console.log(JSON.stringify(result));
process.exit(0);
