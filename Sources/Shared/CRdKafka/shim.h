// librdkafka's C API for the GatewayKafka target (Debian: librdkafka-dev; pkg-config rdkafka).
#include <librdkafka/rdkafka.h>
