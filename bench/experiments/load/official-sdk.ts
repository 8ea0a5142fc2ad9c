/** Load cost of the official SDK core's client path (ClientBuilder, BasicCredentials). */
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';

export const loaded = [ClientBuilder, BasicCredentials];
