// The browser client's entry: the composition root makes the page's parts
// once (app.ts) and starts at the step the page is at.
import { createApp, start } from './app.js';

void start(createApp());
