import { serve } from '@meshcall/server-kit';
import { buildApp } from './app.js';
import { loadRoomsConfig } from './config.js';

const config = loadRoomsConfig();
const app = await buildApp(config);
await serve(app, { host: config.HOST, port: config.PORT });
