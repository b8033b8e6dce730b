/*
 * proxy: a TCP relay between a client under test and the mock server, that
 * a test can take down (connections reset, new ones refused) and bring back
 * on the same port: "the API dies during polling and comes back".
 *
 *   struct tl_proxy *p = tl_proxy_start(mock_server_port(tl_mock));
 *   ... point the client at 127.0.0.1:tl_proxy_port(p) ...
 *   tl_proxy_down(p);  ...  tl_proxy_up(p);
 *   tl_proxy_stop(&p);
 *
 * One relay thread; the control functions are called from the test thread.
 */
#ifndef KTRDR_TESTLIB_PROXY_H
#define KTRDR_TESTLIB_PROXY_H

struct tl_proxy;

struct tl_proxy *tl_proxy_start(unsigned short target_port);
unsigned short tl_proxy_port(const struct tl_proxy *p);
/* Resets every open connection and stops listening (connect → refused). */
void tl_proxy_down(struct tl_proxy *p);
/* Listens again on the same port. */
void tl_proxy_up(struct tl_proxy *p);
/* Resets every open connection but keeps listening. */
void tl_proxy_reset(struct tl_proxy *p);
void tl_proxy_stop(struct tl_proxy **p);

#endif
