/** What `cephConfig` needs to know about one throwaway cluster. */
export interface CephConfigOptions {
  /** The cluster's fsid (a UUID). */
  fsid: string;
  /** Directory holding the monitor's and OSD's data, sockets and logs. */
  directory: string;
  /** Loopback port of the monitor (msgr2). */
  monPort: number;
  /** Loopback port of the RADOS Gateway's S3 endpoint. */
  rgwPort: number;
  /** Bytes the memstore OSD may hold. */
  storeBytes: number;
}

/**
 * The ceph.conf of a one-node test cluster: one monitor, one memstore OSD and
 * one RADOS Gateway, all on 127.0.0.1. Pure: renders text, touches nothing.
 *
 * Each setting here was needed, not copied:
 * - cephx off inside the cluster (S3 requests are still signed and checked by
 *   RGW against its own users); the auth method "none" works only in crc mode,
 *   so every messenger mode is crc (radosgw asks for "secure" otherwise and
 *   never connects);
 * - msgr2 only: a monmap that advertises v2 while a client speaks v1 hangs
 *   the client for its 300 s authentication timeout;
 * - one replica and one placement group per pool, no autoscaler, and a short
 *   Paxos interval: RGW creates six pools at its first start and each waited
 *   about a second for a Paxos round otherwise (start-up 11.5 s -> 1.2 s);
 * - the beast frontend with tcp_nodelay (every request waited ~40 ms without);
 * - short garbage-collection delays, so deleted objects do not linger.
 */
export function cephConfig(o: CephConfigOptions): string {
  const d = o.directory;
  return `[global]
fsid = ${o.fsid}
mon host = v2:127.0.0.1:${o.monPort}
mon initial members = a
public addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
ms mon client mode = crc
ms client mode = crc
ms cluster mode = crc
ms service mode = crc
ms mon service mode = crc
ms mon cluster mode = crc
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd pool default pg num = 1
osd pool default pgp num = 1
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
osd crush chooseleaf type = 0
paxos propose interval = 0.01
paxos min wait = 0.001
run dir = ${d}/run
admin socket = ${d}/run/$name.asok
log file = ${d}/log/$name.log
pid file = ${d}/run/$name.pid
mon data = ${d}/mon
osd data = ${d}/osd
osd objectstore = memstore
memstore device bytes = ${o.storeBytes}
keyring = /dev/null
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${o.rgwPort} tcp_nodelay=1
rgw dns name = 127.0.0.1
rgw gc obj min wait = 10
rgw gc processor period = 10
rgw enable usage log = false
`;
}
