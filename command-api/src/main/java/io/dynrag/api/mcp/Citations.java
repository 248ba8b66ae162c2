package io.dynrag.api.mcp;

/** How a chunk is cited in a tool's text: enough for an agent to quote it and for anyone to find it again. */
final class Citations {

    private Citations() {
    }

    static String of(String documentId, String title, int version, int chunkIndex, Integer page) {
        return (title == null ? "" : "\"" + title + "\" ") + "(document " + documentId + ", version " + version
                + ", chunk " + chunkIndex + (page == null ? "" : ", page " + page) + ")";
    }
}
