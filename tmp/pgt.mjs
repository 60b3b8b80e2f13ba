import pg from 'pg';
const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
await c.connect();
let t = performance.now();
for (let i = 0; i < 100; i++) await c.query('select 1');
console.log('100 select1 ms', Math.round(performance.now() - t));
await c.end();
