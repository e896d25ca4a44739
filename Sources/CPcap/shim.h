#ifndef CIPHERSCOPE_CPCAP_SHIM_H
#define CIPHERSCOPE_CPCAP_SHIM_H
#include <pcap/pcap.h>
#include <stdio.h>
#endif
