import { handleAuthFailure, operationName, source, type Doc } from './client';
import { ApiError, networkError, toApiError } from './errors';
import { getToken } from './session';

export interface UploadHandle<R> {
  promise: Promise<R>;
  abort: () => void;
}

/**
 * Sends one file with the GraphQL multipart request spec over XMLHttpRequest,
 * which (unlike fetch) reports upload progress. `fileVar` names the Upload variable.
 */
export function uploadFile<R, V extends Record<string, unknown>>(
  doc: Doc<R, V>,
  variables: V,
  fileVar: keyof V & string,
  file: File,
  onProgress: (fraction: number) => void,
): UploadHandle<R> {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<R>((resolve, reject) => {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query: source(doc as Doc<unknown, unknown>),
        operationName: operationName(doc as Doc<unknown, unknown>),
        variables: { ...variables, [fileVar]: null },
      }),
    );
    form.append('map', JSON.stringify({ 0: [`variables.${fileVar}`] }));
    form.append('0', file, file.name);

    xhr.open('POST', '/graphql');
    xhr.setRequestHeader('apollo-require-preflight', 'true');
    xhr.setRequestHeader('accept', 'application/graphql-response+json, application/json;q=0.9');
    const token = getToken();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(networkError());
    xhr.onabort = () => reject(new ApiError([{ message: 'Upload cancelled.', code: 'ABORTED' }]));
    xhr.onload = () => {
      onProgress(1);
      let body: { data?: R; errors?: { message?: string; extensions?: Record<string, unknown> }[] };
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        const msg =
          xhr.status === 413 ? 'The file is larger than this server accepts.' : `The server answered ${xhr.status}.`;
        reject(new ApiError([{ message: msg, code: 'BAD_RESPONSE' }]));
        return;
      }
      if (body.errors?.length) {
        const err = toApiError(body.errors, 'The upload failed.');
        handleAuthFailure(err);
        reject(err);
      } else if (body.data) resolve(body.data);
      else reject(new ApiError([{ message: 'The server answered without data.', code: 'BAD_RESPONSE' }]));
    };
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
