// The demo's application: it supplies the credentials (in a real application, temporary
// ones from its backend), opens the database and queries and edits one table. Bundled by
// esbuild (see README.md here), which picks s3lite's browser build.
import { open } from 's3lite';

const $ = (id) => document.getElementById(id);
let db;

$('connect').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = Object.fromEntries(new FormData(event.target));
  status('opening…');
  try {
    await db?.close();
    db = await open(`s3://${form.bucket}/${form.prefix}`, {
      s3: {
        endpoint: form.endpoint,
        region: form.region,
        credentials: { accessKeyId: form.accessKeyId, secretAccessKey: form.secretAccessKey },
      },
    });
    await db.exec(
      'CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, stock INTEGER NOT NULL)',
    );
    $('add').hidden = false;
    await show();
  } catch (error) {
    status(`${error.code ?? error.name}: ${error.message}`);
  }
});

$('add').addEventListener('submit', async (event) => {
  event.preventDefault();
  const { name, stock } = Object.fromEntries(new FormData(event.target));
  await edit(() => db.run('INSERT INTO items (name, stock) VALUES (?, ?)', [name, Number(stock)]));
});

$('items').addEventListener('click', async (event) => {
  const { id, delta } = event.target.dataset;
  if (id === undefined) return;
  // Atomic, and re-run on the new head if another writer (another tab, say) commits first.
  await edit(() =>
    db.transaction((tx) =>
      tx.run('UPDATE items SET stock = max(0, stock + ?) WHERE id = ?', [
        Number(delta),
        Number(id),
      ]),
    ),
  );
});

async function edit(change) {
  try {
    await change();
    await show();
  } catch (error) {
    status(`${error.code ?? error.name}: ${error.message}`);
  }
}

async function show() {
  const rows = await db.query('SELECT id, name, stock FROM items ORDER BY name');
  const table = $('items');
  table.hidden = false;
  table.replaceChildren(row('th', ['item', 'stock', '']));
  for (const item of rows) {
    const buttons = ['-1', '+1'].map((delta) => {
      const button = document.createElement('button');
      Object.assign(button.dataset, { id: item.id, delta });
      button.textContent = delta;
      return button;
    });
    table.append(row('td', [item.name, String(item.stock), ...buttons]));
  }
  const { seq } = db.stats().snapshot;
  status(`commit ${seq}: ${rows.length} items`);
}

function row(cell, values) {
  const tr = document.createElement('tr');
  for (const value of values) {
    const td = document.createElement(cell);
    td.append(value);
    tr.append(td);
  }
  return tr;
}

function status(text) {
  $('status').textContent = text;
}
