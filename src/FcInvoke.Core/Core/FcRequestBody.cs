using System;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace FcInvoke.Core
{
    /// <summary>
    /// A request body whose SHA-256 is known before sending (the signature needs it) and that can be
    /// sent again on a retry. File bodies are hashed in one streaming pass and streamed from disk on each attempt.
    /// </summary>
    internal abstract class FcRequestBody
    {
        /// <summary>The content type of bytes sent as they are (what InvokeFunction's event is).</summary>
        public const string OctetStream = "application/octet-stream";

        protected FcRequestBody(string contentType) { ContentType = contentType; }

        public string ContentType { get; }
        public abstract long Length { get; }
        public abstract string Sha256Hex { get; }
        /// <summary>Lower-case hex MD5 of the body, for FC 2.0's "FC" signature (Content-MD5 as GWUTIL sends it); made on first use.</summary>
        public abstract string Md5Hex { get; }
        public abstract HttpContent CreateContent();

        public static FcRequestBody FromBytes(byte[] bytes, string contentType = OctetStream) =>
            new BytesBody(bytes ?? Array.Empty<byte>(), contentType);

        public static FcRequestBody FromFile(string path, string contentType = OctetStream) =>
            new FileBody(path, contentType);

        private static string HexMd5(byte[] bytes)
        {
            using (var md5 = MD5.Create()) return Acs3Signer.ToHex(md5.ComputeHash(bytes));
        }

        protected HttpContent WithHeaders(HttpContent content)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
            content.Headers.ContentLength = Length;
            return content;
        }

        private sealed class BytesBody : FcRequestBody
        {
            private readonly byte[] _bytes;
            private string _hash;

            public BytesBody(byte[] bytes, string contentType) : base(contentType) { _bytes = bytes; }

            public byte[] Bytes => _bytes;
            public override long Length => _bytes.Length;
            public override string Sha256Hex => _hash ?? (_hash = Acs3Signer.HexSha256(_bytes));
            private string _md5;
            public override string Md5Hex => _md5 ?? (_md5 = HexMd5(_bytes));
            public override HttpContent CreateContent() => WithHeaders(new ByteArrayContent(_bytes));
        }

        private sealed class FileBody : FcRequestBody
        {
            private readonly string _path;
            private readonly long _length;
            private readonly string _hash;

            public FileBody(string path, string contentType) : base(contentType)
            {
                _path = path;
                using (var stream = OpenRead())
                using (var sha = SHA256.Create())
                {
                    _length = stream.Length;
                    _hash = Acs3Signer.ToHex(sha.ComputeHash(stream));
                }
            }

            public override long Length => _length;
            public override string Sha256Hex => _hash;
            private string _md5;

            public override string Md5Hex
            {
                get
                {
                    if (_md5 != null) return _md5;
                    using (var stream = OpenRead())
                    using (var md5 = MD5.Create())
                        return _md5 = Acs3Signer.ToHex(md5.ComputeHash(stream));
                }
            }

            public override HttpContent CreateContent()
            {
                var stream = OpenRead();
                if (stream.Length != _length)
                {
                    stream.Dispose();
                    throw new IOException($"The file '{_path}' changed while it was being sent.");
                }
                return WithHeaders(new StreamContent(stream, 81920));
            }

            private FileStream OpenRead() =>
                new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan);
        }
    }
}
