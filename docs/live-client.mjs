// Follow a discussion live with graphql-ws, and resume from the last cursor after a disconnect.
//   npm install graphql-ws ws
//   AGORA_URL=ws://127.0.0.1:8000/graphql AGORA_TOKEN=... DISCUSSION_ID=... node live-client.mjs
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const url = process.env.AGORA_URL ?? "ws://127.0.0.1:8000/graphql";
const token = process.env.AGORA_TOKEN;
const discussionId = process.env.DISCUSSION_ID;

const THREAD = `subscription Thread($discussionId: ID!, $after: String) {
  postAdded(discussionId: $discussionId, after: $after) {
    cursor at subject { ... on Post { id body author { name } } }
  }
}`;

let lastCursor = null; // keep it on disk in a real app

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: () => ({ authorization: `Bearer ${token}` }),
  retryAttempts: Infinity,
  shouldRetry: () => true, // 1012 (server restart) and network loss: reconnect
});

function follow() {
  client.subscribe(
    { query: THREAD, variables: { discussionId, after: lastCursor } },
    {
      next: ({ data, errors }) => {
        if (errors?.some((e) => e.extensions?.code === "RESYNC_REQUIRED")) {
          console.error("cursor too old: reload the thread, then follow live");
          lastCursor = null;
          return;
        }
        const event = data.postAdded;
        lastCursor = event.cursor;
        console.log(`${event.at} ${event.subject.author?.name}: ${event.subject.body}`);
      },
      error: (error) => {
        console.error("subscription ended", error);
        setTimeout(follow, 1000); // resubscribe from lastCursor: nothing is missed
      },
      complete: () => console.log("done"),
    },
  );
}

follow();
