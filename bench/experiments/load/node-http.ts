/** Load cost of the floor's modules: node:http, node:https, node:crypto. */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';

export const loaded = [crypto, http, https];
