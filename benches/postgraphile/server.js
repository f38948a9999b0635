// PostGraphile v4 serving Tenet's schema `public`, for benches/run.sh: each
// request verifies Tenet's access token (HS256, the server's JWT_SECRET) and
// runs in a transaction with the same context Tenet sets (role tenet_api,
// app.tenant_id, app.user_id, app.session_id, app.session_secret), so the
// same RLS policies decide what it sees. Environment: DATABASE_URL (Tenet's
// login role), JWT_SECRET, PORT.
'use strict';
const http = require('http');
const jwt = require('jsonwebtoken');
const { postgraphile } = require('postgraphile');

const secret = process.env.JWT_SECRET;
const port = Number(process.env.PORT || 18182);
if (!process.env.DATABASE_URL || !secret) {
  console.error('DATABASE_URL and JWT_SECRET are required');
  process.exit(2);
}

const middleware = postgraphile(process.env.DATABASE_URL, 'public', {
  graphiql: false,
  disableQueryLog: true,
  retryOnInitFail: false,
  dynamicJson: true,
  setofFunctionsContainNulls: false,
  ignoreRBAC: false,
  pgSettings: async (req) => {
    const header = req.headers.authorization || '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    // An invalid token: no context at all (RLS shows nothing), as in Tenet.
    let c = {};
    try {
      c = jwt.verify(token, secret, { algorithms: ['HS256'] });
    } catch (e) {
      return { role: 'tenet_api' };
    }
    return {
      role: 'tenet_api',
      'app.tenant_id': c.tenant_id,
      'app.user_id': c.sub,
      'app.session_id': c.sid,
      'app.session_secret': c.ssec,
      'app.request_id': 'postgraphile',
    };
  },
});

http.createServer(middleware).listen(port, '127.0.0.1', () => {
  console.log(`postgraphile listening on 127.0.0.1:${port}`);
});
