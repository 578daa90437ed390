/* libFuzzer harness: the home read back from a systemd unit or launchd
 * plist (ops_service_unit_home_text, used to migrate the unit of earlier
 * versions and to list the homes with a unit): whatever the file holds,
 * the answer is a NUL-terminated absolute path within the buffer, or none. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = { 1, 15, 16, 64, 4096 };
	char *text = malloc(size + 1), home[4096];

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (int m = OPS_MGR_SYSTEMD; m <= OPS_MGR_LAUNCHD; m++)
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			int r = ops_service_unit_home_text((enum ops_manager)m, text, home,
			    lens[i]);

			if (memchr(home, '\0', lens[i]) == NULL || (r == 1 && home[0] != '/') ||
			    (r == 0 && home[0] != '\0') || (r != 0 && r != 1))
				abort();
		}
	free(text);
	return 0;
}
