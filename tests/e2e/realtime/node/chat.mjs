// GymGenius chat, as a JavaScript app sees it:
// node chat.mjs <url> <client-token> <trainer-token> <stranger-token> <conversation-id>
// Prints one JSON object with what happened; exits 2 if it ran out of time.
import { io } from "socket.io-client";

const [url, clientToken, trainerToken, strangerToken, conversation] = process.argv.slice(2);
const room = `chat:${conversation}`;
const result = {};

setTimeout(() => {
  console.log(JSON.stringify({ ...result, timedOut: true }));
  process.exit(2);
}, 15000).unref();

function connect(token) {
  return new Promise((resolve, reject) => {
    const socket = io(url, { auth: { token }, reconnection: false, timeout: 5000 });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

function inbox(socket, event) {
  const seen = [];
  const waiting = new Set();
  socket.on(event, (item) => {
    seen.push(item);
    for (const check of waiting) check();
  });
  const next = (match) =>
    new Promise((resolve) => {
      const check = () => {
        const found = seen.find(match);
        if (found) {
          waiting.delete(check);
          resolve(found);
        }
      };
      waiting.add(check);
      check();
    });
  return { seen, next };
}

const ask = (socket, event, data) => socket.timeout(5000).emitWithAck(event, data);
const send = (socket, text, client_message_id) =>
  ask(socket, "send", { conversation_id: conversation, text, client_message_id });

async function query(token, path) {
  const answer = await fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return answer.json();
}

const client = await connect(clientToken);
let trainer = await connect(trainerToken);
const stranger = await connect(strangerToken);
const clientMessages = inbox(client, "chat.message");
const trainerMessages = inbox(trainer, "chat.message");
const trainerTyping = inbox(trainer, "chat.typing");
const clientTyping = inbox(client, "chat.typing");

result.joins = {
  client: await ask(client, "join", { room }),
  trainer: await ask(trainer, "join", { room }),
  stranger: await ask(stranger, "join", { room }),
};
result.typing = await ask(client, "typing", { room });
result.strangerTyping = await ask(stranger, "typing", { room });
result.typingRelayed = await trainerTyping.next(() => true);

const hello = await send(client, "Hello <b>coach</b>", "c-1");
result.hello = hello;
result.helloDelivered = await trainerMessages.next((m) => m.data.id === hello.id);
result.helloAgain = await send(client, "Hello again", "c-1");
const reply = await send(trainer, "Hi! How did the squats go?", "t-1");
result.reply = reply;
result.replyDelivered = await clientMessages.next((m) => m.data.id === reply.id);
result.strangerSend = await send(stranger, "let me in", "s-1");
result.tooLong = await send(client, "x".repeat(4001), "c-long");
result.clientSawOwnTyping = clientTyping.seen.length;

trainer.close();
const offline = await send(client, "Are you there?", "c-2");
result.offline = offline;
await clientMessages.next((m) => m.data.id === offline.id); // stored and pushed
trainer = await connect(trainerToken);
result.rejoin = await ask(trainer, "join", { room });
const position = `min_position=${offline.position}`;
result.conversations = await query(trainerToken, `/v1/queries/conversations?${position}`);
result.history = await query(trainerToken, `/v1/queries/conversations/${conversation}/messages?limit=2&${position}`);

for (const socket of [client, trainer, stranger]) socket.close();
console.log(JSON.stringify(result));
process.exit(0);
