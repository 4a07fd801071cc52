package io.hasp.http;

/**
 * A collection of versioned records served by a {@link RecordResource}: its path, what one record is called, and the
 * examples its operations show in the OpenAPI document ({@link io.hasp.openapi.RecordCollectionDocs} puts them there). Examples are
 * JSON texts.
 *
 * @param path        the collection's path, such as {@code /v1/bookmarks}; its last segment names the records in
 *                    summaries ("List bookmarks")
 * @param noun        what one record is called, such as {@code bookmark} (summaries and the 404 problem)
 * @param record      a record as served
 * @param list        the answer of a list
 * @param listNote    what a list answers beyond the records, or null
 * @param create      a create's body
 * @param save        a save's body, or null where the collection has no save
 */
public record RecordCollection(String path, String noun, String record, String list, String listNote, String create,
                               String save) {

    /** The records' name in the plural: the last segment of the path. */
    public String plural() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
