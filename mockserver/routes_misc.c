/* GET /api/v1/symbols and GET /api/v1/health (API-CONTRACT §2.10). */
#include "routes.h"

/* A small fixed list in the live SymbolInfo shape. */
static const char symbols_json[] =
    "{\"success\":true,\"data\":["
    "{\"symbol\":\"AAPL\",\"name\":\"Apple Inc.\",\"type\":\"stock\",\"exchange\":\"NASDAQ\","
    "\"currency\":\"USD\",\"available_timeframes\":[\"1h\",\"1d\"],\"trading_hours\":null},"
    "{\"symbol\":\"MSFT\",\"name\":\"Microsoft Corporation\",\"type\":\"stock\","
    "\"exchange\":\"NASDAQ\",\"currency\":\"USD\",\"available_timeframes\":[\"1h\",\"1d\"],"
    "\"trading_hours\":null},"
    "{\"symbol\":\"EURUSD\",\"name\":\"Euro / US Dollar\",\"type\":\"forex\","
    "\"exchange\":\"IDEALPRO\",\"currency\":\"USD\","
    "\"available_timeframes\":[\"5m\",\"1h\",\"1d\"],\"trading_hours\":null}"
    "],\"error\":null}";

int routes_symbols(const struct routes_ctx *ctx, struct request *req,
                   struct http_reply *reply, struct err *err)
{
  json_t *body = json_loads(symbols_json, 0, NULL);

  (void)ctx;
  (void)req;
  if (!body)
    return err_set(err, ERR_INTERNAL, "cannot build the symbol list");
  http_reply_json(reply, 200, body);
  return 0;
}

int routes_health(const struct routes_ctx *ctx, struct request *req,
                  struct http_reply *reply, struct err *err)
{
  (void)ctx;
  (void)req;
  (void)err;
  http_reply_json(reply, 200, json_pack("{s:s, s:s}", "status", "ok", "version", "1.0.7.2"));
  return 0;
}
