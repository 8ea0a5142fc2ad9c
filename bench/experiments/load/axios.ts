/** Load cost of axios alone, bundled like a function (import as our client does). */
import axios from 'axios';

export const loaded = axios;
