// The baseline: a bare Node HTTP server doing one durable SQLite insert per POST (WAL,
// synchronous=FULL like Hearth's default). The most this machine allows for "one durable write
// per request" with one process.
import { createServer } from 'node:http';
import Database from 'better-sqlite3';

const [file, port] = process.argv.slice(2);
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS writes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO writes (body) VALUES (?)');

createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    if (req.method === 'POST') insert.run(body);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
}).listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
