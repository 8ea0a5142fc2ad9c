/** axios alone, to be bundled with the trims of ../plugins.ts (form-data, debug, fetch adapter, http2, FormData). */
import axios from 'axios';

export const loaded = axios;
