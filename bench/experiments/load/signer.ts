/** Load cost of our signer (node:crypto only). */
import * as signer from '../../../shared/signing/signer';

export const loaded = signer;
